//go:build race

package deploy

// Under -race the replicas are built with -race too.
func init() { buildFlags = append(buildFlags, "-race") }
