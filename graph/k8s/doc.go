// Package k8s reads Kubernetes manifests into an importer.Result.
package k8s
