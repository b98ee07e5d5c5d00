// Package gandimcp holds what the whole module shares at its root: SKILL.md,
// embedded so that the skill and the server cannot drift.
package gandimcp

import _ "embed"

// SkillMD is the text of SKILL.md, the Moltbot / OpenClaw skill.
//
//go:embed SKILL.md
var SkillMD string
