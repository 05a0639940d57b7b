package export

import (
	"bytes"
	"embed"
)

//go:embed schema/*.schema.json
var schemas embed.FS

// JSONSubjects are the subjects of the JSON documents export writes, each
// with a JSON Schema (draft 2020-12) that JSONSchema returns.
var JSONSubjects = []string{"outcome", "rank", "spof", "redundancy", "timeline", "comparison", "check", "diff",
	"import", "cutsets", "availability",
	"pairs",
	"audit",
}

// JSONSchema returns the JSON Schema of the documents of subject ("outcome",
// "rank", "spof", "redundancy", "timeline", "comparison", "check" or
// "diff"; see JSONSubjects), the file export/schema/<subject>.schema.json:
// every field, its type and its meaning. Tests validate real outputs
// against each. It returns false for an unknown subject.
func JSONSchema(subject string) ([]byte, bool) {
	b, err := schemas.ReadFile("schema/" + subject + ".schema.json")
	if err != nil {
		return nil, false
	}
	return bytes.Clone(b), true
}
