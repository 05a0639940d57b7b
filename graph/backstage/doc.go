// Package backstage reads a Backstage software catalog (entity files such as
// catalog-info.yaml) into an importer.Result: the nodes the catalog declares
// and the dependencies between them.
//
// # What is read
//
// Read takes files and directories (walked for *.yaml and *.yml in name
// order, hidden directories skipped). A file may hold many entities, one per
// YAML document. A Location entity's spec.target and spec.targets (files,
// relative to the Location's file, globs allowed) are read too, once each,
// so a cycle of Locations ends; a target outside the directories given is
// an error unless Options.AllowOutside, and a url target is a finding, not
// fetched. Options bound the files, their size and the entities; YAML
// aliases are bounded as in model files.
//
//   - Component (except spec.type library) and Resource become nodes.
//     A component is a service; a Resource's spec.type gives its kind:
//     database, db, cache, storage, bucket, s3-bucket, object-store and
//     search are datastores; queue, topic, message-queue, kafka-topic,
//     stream and message-broker are queues; load-balancer, dns, network and
//     cdn are network; any other type is a service, with a finding.
//   - spec.dependsOn becomes requires. spec.dependencyOf is the same edge
//     written on the other end. spec.consumesApis becomes a dependency on
//     every component whose spec.providesApis names that API (an API
//     nobody provides is a finding).
//   - spec.owner becomes the label owner, spec.system the label system,
//     the system's spec.domain the label domain; spec.type and
//     spec.lifecycle the labels backstage-type and lifecycle. System, API,
//     Domain and Group entities are not nodes: they are resolved and named.
//     User and Template entities are skipped; another kind is a finding.
//
// A node's id is the entity's name, or namespace/name outside the default
// namespace (importer.Merge maps it to lower case). A Component and a
// Resource of the same name are an error: they would be one node.
//
// # References
//
// Entity references follow Backstage's rules ([kind:][namespace/]name,
// compared case-insensitively, the namespace defaulting to the referring
// entity's): spec.dependsOn and spec.dependencyOf must give the kind
// (component:x or resource:x); consumesApis and providesApis default to
// api, system to system, domain to domain, owner to group. A reference to
// nothing is an error naming the file, the line and the field, with the
// closest name; except an owner, which often lives in another catalog (a
// finding).
//
// # Annotations
//
// Backstage relations carry no attributes, so what a model needs and a
// catalog cannot say goes in metadata.annotations:
//
//	blastradius.dev/kind               service, identity, datastore, queue, network, power or external
//	blastradius.dev/users              the number of people who use it (the impact weight)
//	blastradius.dev/tier               the criticality tier, 0 the most critical
//	blastradius.dev/site               the one site it runs at
//	blastradius.dev/replicas           the sites of its replicas, comma-separated ("zone-a, zone-b")
//	blastradius.dev/demand             how many replicas it needs to be up (default 1)
//	blastradius.dev/soft-dependencies  references (kind defaults to component; an api names its
//	                                   providers) among dependsOn and consumesApis that are soft:
//	                                   uses instead of requires
//	blastradius.dev/restart            the time it needs to serve again, such as 15m
//	blastradius.dev/ignore             "true": not a node ("false", or left out: a node; anything else is an error)
//	blastradius.dev/aliases            the names other sources give it, comma-separated,
//	                                   "source:name" or "name" ("traces:checkout-svc")
//
// Backstage's own backstage.io/kubernetes-id (the name the Kubernetes
// plugin finds the component's workloads by) is the alias "k8s:ID".
// Any other annotation under blastradius.dev/ is an error, with the closest
// name. Placement is usually Kubernetes' to say; see importer.Merge for
// which source wins.
package backstage
