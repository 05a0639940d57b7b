// Package yamltree parses a YAML document into a tree of values with their lines, within limits, for the decoders of model and policy files.
package yamltree
