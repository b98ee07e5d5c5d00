// Package deploy holds no code: it is where the container image and the
// Kubernetes manifests (deploy/kubernetes) are checked, and where replicas of
// serve --hosted are run behind haproxy, as a deployment runs them.
package deploy
