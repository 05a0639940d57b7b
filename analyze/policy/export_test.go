package policy

import "github.com/blastradius-go/blastradius/analyze"

// SetExplainedHook lets the external tests see the audit of each
// independent rule once its listed claims are explained (nil: none).
func SetExplainedHook(f func(*analyze.AuditResult)) { explainedHook = f }
