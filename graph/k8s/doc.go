// Package k8s reads Kubernetes manifests into an importer.Result: the
// workloads, where their replicas run, how many of them they need, and
// what they depend on.
//
// # Reading
//
// Read takes files and directories (their *.yaml, *.yml and *.json files,
// recursively, in name order); Parse takes bytes. A file holds one or more
// documents; a document is an object or a list of them (kind: List, or
// any kind ending in List with items, as kubectl get -o yaml writes).
// Objects are decoded into the API's own Go types (k8s.io/api) by the API
// server's strict decoder (sigs.k8s.io/json: field names case-sensitive,
// unknown and duplicate fields refused), so a manifest is read as the
// cluster reads it; each error names the file, the line and the field.
// Deployments, StatefulSets, DaemonSets, Services, PodDisruptionBudgets,
// ConfigMaps, Nodes and Pods are read; other kinds are counted in a
// Finding. Files are bounded (Options.MaxFileSize, MaxObjects, and the
// model decoder's bounds on nesting and on aliases).
//
// Thousands of documents of one object each (helm template, kustomize
// build) cost what one List of the same objects does: the trees of every
// document share one pool of values, and an empty document ("---" and
// comments) is skipped without a YAML parser.
//
// # What becomes what
//
//   - A Node object's topology.kubernetes.io/zone label (or the older
//     failure-domain.beta.kubernetes.io/zone) is a site, its
//     topology.kubernetes.io/region a region. Without Node objects,
//     Options.Zones names the zones.
//   - A Deployment, StatefulSet or DaemonSet is a node (kind service, or
//     the blastradius.dev/kind annotation), id its name, or
//     namespace/name when workloads of several namespaces share the name.
//     It has one replica per zone, of capacity the pods placed there. Its
//     labels k8s/namespace, k8s/kind and k8s/services (the Services that
//     select its pods) say where it came from.
//   - The zones a workload may run in are those of the Nodes its pod
//     template's nodeSelector and required node affinity accept. How its
//     pods spread over them: as they run, when the manifests hold its
//     running Pods (kubectl get pods -o yaml: a Deployment's through
//     their ReplicaSet and pod-template-hash, a StatefulSet's and
//     DaemonSet's directly); else evenly, when a topologySpreadConstraint
//     on the zone key with whenUnsatisfiable: DoNotSchedule selects its
//     pods; one pod per zone (and no more pods than zones) under a
//     required pod anti-affinity on the zone key; a DaemonSet one pod per
//     Node it may run on. Anything else leaves the spread undecided: it is
//     assumed even, as the scheduler's default spreading prefers, or with
//     Options.Packed every pod in the first zone, the worst case the
//     manifests allow; a Finding says which. When pods do not divide
//     evenly, the first zones in name order take one more (a Finding).
//   - A PodDisruptionBudget that selects a workload's pods gives its
//     demand: minAvailable, or the pods less maxUnavailable, a percentage
//     rounded up as the disruption controller rounds it; below the
//     demand, with a pod left, the workload is Degraded (degraded_at 1).
//     Without a budget the demand is 1, any one pod serves (a Finding).
//   - A Service maps its name to the workloads its selector selects (in
//     its namespace); one named otherwise than its one workload is the
//     alias traces:<service> of it in Result.Aliases. An ExternalName
//     Service is a node of kind external.
//   - A dependency comes from the annotations blastradius.dev/requires
//     (hard) and blastradius.dev/uses (soft): comma-separated names of
//     Services (svc, or svc.ns for another namespace) or workloads. A
//     name the manifests do not know is kept as written, for the other
//     sources or the overlay to supply, with a Finding. With
//     Options.FromEnv, a workload also requires what its containers'
//     environment names by a Service's DNS name (svc.ns.svc.cluster.local,
//     svc.ns.svc, svc.ns anywhere in a value; a bare svc in a URL, before
//     a port, or as the whole value of a variable whose name says host,
//     addr, url, endpoint, ...): env values, the ConfigMap keys env takes,
//     and every value of the ConfigMaps taken whole or mounted.
//
// # Annotations
//
// On a workload (metadata.annotations, or its pod template's, which the
// workload's own override):
//
//	blastradius.dev/kind      service, identity, datastore, queue or external
//	blastradius.dev/users     the number of people who use it (the impact weight)
//	blastradius.dev/tier      the criticality tier, 0 the most critical
//	blastradius.dev/requires  hard dependencies: Services or workloads, comma-separated
//	blastradius.dev/uses      soft dependencies, the same way
//	blastradius.dev/restart   the time it needs to serve again, such as 15m
//	blastradius.dev/ignore    "true": not a node
//
// Any other annotation under blastradius.dev/ is an error, with the
// closest name.
package k8s
