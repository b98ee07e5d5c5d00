//go:build race

package main

// Under -race the binary the end-to-end tests drive is built with -race too.
func init() { buildFlags = append(buildFlags, "-race") }
