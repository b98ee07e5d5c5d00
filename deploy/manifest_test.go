package deploy

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The parts of the Kubernetes objects the checks read; unknown fields are ignored.
type (
	meta struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	}
	object struct {
		APIVersion string    `yaml:"apiVersion"`
		Kind       string    `yaml:"kind"`
		Metadata   meta      `yaml:"metadata"`
		file       string    // where it was read
		node       yaml.Node // the whole document, decoded again by kind
	}
	labelSelector struct {
		MatchLabels      map[string]string `yaml:"matchLabels"`
		MatchExpressions []any             `yaml:"matchExpressions"`
	}
	probe struct {
		HTTPGet *struct {
			Path string    `yaml:"path"`
			Port yaml.Node `yaml:"port"`
		} `yaml:"httpGet"`
		PeriodSeconds    int `yaml:"periodSeconds"`
		FailureThreshold int `yaml:"failureThreshold"`
	}
	envVar struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			ResourceFieldRef *struct {
				ContainerName string `yaml:"containerName"`
				Resource      string `yaml:"resource"`
				Divisor       string `yaml:"divisor"`
			} `yaml:"resourceFieldRef"`
		} `yaml:"valueFrom"`
	}
	securityContext struct {
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		RunAsUser                *int  `yaml:"runAsUser"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Privileged               *bool `yaml:"privileged"`
		Capabilities             *struct {
			Drop []string `yaml:"drop"`
			Add  []string `yaml:"add"`
		} `yaml:"capabilities"`
		SeccompProfile *struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	}
	container struct {
		Name    string   `yaml:"name"`
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Ports   []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env       []envVar `yaml:"env"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		Lifecycle      *struct {
			PreStop *struct {
				Sleep *struct {
					Seconds int `yaml:"seconds"`
				} `yaml:"sleep"`
			} `yaml:"preStop"`
		} `yaml:"lifecycle"`
		SecurityContext securityContext `yaml:"securityContext"`
	}
	deployment struct {
		Spec struct {
			Replicas *int          `yaml:"replicas"`
			Selector labelSelector `yaml:"selector"`
			Template struct {
				Metadata meta `yaml:"metadata"`
				Spec     struct {
					TerminationGracePeriodSeconds *int            `yaml:"terminationGracePeriodSeconds"`
					SecurityContext               securityContext `yaml:"securityContext"`
					Containers                    []container     `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	service struct {
		Spec struct {
			Selector        map[string]string `yaml:"selector"`
			SessionAffinity string            `yaml:"sessionAffinity"`
			Ports           []struct {
				Name       string    `yaml:"name"`
				Port       int       `yaml:"port"`
				TargetPort yaml.Node `yaml:"targetPort"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	hpa struct {
		Spec struct {
			ScaleTargetRef struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string `yaml:"kind"`
				Name       string `yaml:"name"`
			} `yaml:"scaleTargetRef"`
			MinReplicas *int `yaml:"minReplicas"`
			MaxReplicas int  `yaml:"maxReplicas"`
			Metrics     []struct {
				Type     string `yaml:"type"`
				Resource *struct {
					Name   string `yaml:"name"`
					Target struct {
						Type               string `yaml:"type"`
						AverageUtilization int    `yaml:"averageUtilization"`
					} `yaml:"target"`
				} `yaml:"resource"`
			} `yaml:"metrics"`
		} `yaml:"spec"`
	}
	pdb struct {
		Spec struct {
			MinAvailable   yaml.Node     `yaml:"minAvailable"`
			MaxUnavailable yaml.Node     `yaml:"maxUnavailable"`
			Selector       labelSelector `yaml:"selector"`
		} `yaml:"spec"`
	}
)

// gandiRequestsPerMinute is Gandi's published limit of API requests per minute
// from one source address, which every replica behind one egress NAT shares.
const gandiRequestsPerMinute = 1000

// callsBound is how long serve --hosted waits for calls in flight once it
// stops accepting (skill's callsWait): the grace period must cover it after
// preStop and --drain-time.
const callsBound = 5 * time.Second

// manifests reads every YAML document under dir.
func manifests(t testing.TB, dir string) []object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", dir, err)
	}
	var objs []object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var o object
			if err := dec.Decode(&o.node); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: document %d does not parse: %v", f, i, err)
			}
			if err := o.node.Decode(&o); err != nil {
				t.Fatalf("%s: document %d: %v", f, i, err)
			}
			if o.APIVersion == "" || o.Kind == "" {
				t.Fatalf("%s: document %d has no apiVersion or kind", f, i)
			}
			o.file = filepath.Base(f)
			objs = append(objs, o)
		}
	}
	return objs
}

// only returns the one object of this kind and decodes it into v.
func only(t testing.TB, objs []object, apiVersion, kind string, v any) object {
	t.Helper()
	var found []object
	for _, o := range objs {
		if o.Kind == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s objects, want one", len(found), kind)
	}
	o := found[0]
	if o.APIVersion != apiVersion {
		t.Errorf("%s %s: apiVersion %s, want %s", o.file, kind, o.APIVersion, apiVersion)
	}
	if err := o.node.Decode(v); err != nil {
		t.Fatalf("%s: %v", o.file, err)
	}
	return o
}

// quantity parses a Kubernetes quantity (100m, 1, 64Mi, 1G) in base units.
func quantity(s string) (float64, error) {
	units := []struct {
		suffix string
		factor float64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"m", 1e-3}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			return f * u.factor, err
		}
	}
	return strconv.ParseFloat(s, 64)
}

// selects says whether sel matches exactly through matchLabels, all of them present in labels.
func selects(sel map[string]string, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// The Deployment, parsed, for this test and the balancer's.
type hostedDeployment struct {
	container   container
	port        int    // the container port the probes and the Service use
	live, ready string // probe paths
	rateLimit   int    // GANDI_MCP_RATE_LIMIT
	preStop     time.Duration
	drain       time.Duration // --drain-time among the args
}

func readDeployment(t testing.TB) (deployment, hostedDeployment) {
	t.Helper()
	var d deployment
	only(t, manifests(t, "kubernetes"), "apps/v1", "Deployment", &d)
	cs := d.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("the Deployment's pod has %d containers, want one", len(cs))
	}
	h := hostedDeployment{container: cs[0]}
	c := cs[0]
	for _, p := range []struct {
		name string
		p    *probe
		path *string
	}{{"livenessProbe", c.LivenessProbe, &h.live}, {"readinessProbe", c.ReadinessProbe, &h.ready}} {
		if p.p == nil || p.p.HTTPGet == nil {
			t.Fatalf("container %s has no %s.httpGet", c.Name, p.name)
		}
		*p.path = p.p.HTTPGet.Path
		port := portNumber(t, c, p.p.HTTPGet.Port)
		if h.port != 0 && port != h.port {
			t.Errorf("%s probes port %d, the other probe %d", p.name, port, h.port)
		}
		h.port = port
	}
	for _, e := range c.Env {
		if e.Name == "GANDI_MCP_RATE_LIMIT" {
			n, err := strconv.Atoi(e.Value)
			if err != nil || n <= 0 {
				t.Errorf("GANDI_MCP_RATE_LIMIT=%q: want a positive number of requests a minute", e.Value)
			}
			h.rateLimit = n
		}
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		h.preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	if v, ok := flagValue(c.Args, "--drain-time"); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("container args --drain-time %q: %v", v, err)
		}
		h.drain = d
	}
	return d, h
}

// goMemLimit is GOMEMLIMIT=the container's memory limit in bytes, as the Deployment's
// resourceFieldRef sets it.
func (h hostedDeployment) goMemLimit(t testing.TB) string {
	t.Helper()
	n, err := quantity(h.container.Resources.Limits["memory"])
	if err != nil || n <= 0 {
		t.Fatalf("memory limit %q: %v", h.container.Resources.Limits["memory"], err)
	}
	return "GOMEMLIMIT=" + strconv.FormatInt(int64(n), 10)
}

// portNumber resolves a probe's or Service's port (a number or the name of one of c's ports).
func portNumber(t testing.TB, c container, n yaml.Node) int {
	t.Helper()
	if p, err := strconv.Atoi(n.Value); err == nil {
		return p
	}
	for _, p := range c.Ports {
		if p.Name == n.Value {
			return p.ContainerPort
		}
	}
	t.Fatalf("port %q is neither a number nor one of container %s's named ports", n.Value, c.Name)
	return 0
}

func isTrue(b *bool) bool { return b != nil && *b }

func optional(n *int) string {
	if n == nil {
		return "(unset)"
	}
	return strconv.Itoa(*n)
}

func TestKubernetesManifests(t *testing.T) {
	objs := manifests(t, "kubernetes")
	d, h := readDeployment(t)
	var (
		svc service
		as  hpa
		bud pdb
	)
	only(t, objs, "v1", "Service", &svc)
	hpaObj := only(t, objs, "autoscaling/v2", "HorizontalPodAutoscaler", &as)
	only(t, objs, "policy/v1", "PodDisruptionBudget", &bud)
	deployName := ""
	for _, o := range objs {
		if o.Kind == "Deployment" {
			deployName = o.Metadata.Name
		}
	}
	spec := d.Spec.Template.Spec
	c := h.container
	podLabels := d.Spec.Template.Metadata.Labels

	t.Run("replicas", func(t *testing.T) {
		if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
			t.Errorf("Deployment replicas %s: want 2 or more, so one pod's loss is not an outage", optional(d.Spec.Replicas))
		}
		if as.Spec.MinReplicas == nil || *as.Spec.MinReplicas < 2 {
			t.Errorf("HPA minReplicas %s: want 2 or more, or the autoscaler undoes the Deployment's replicas", optional(as.Spec.MinReplicas))
		}
		if as.Spec.MinReplicas != nil && as.Spec.MaxReplicas < *as.Spec.MinReplicas {
			t.Errorf("HPA maxReplicas %d below minReplicas %d", as.Spec.MaxReplicas, *as.Spec.MinReplicas)
		}
	})

	t.Run("selectors", func(t *testing.T) {
		if len(d.Spec.Selector.MatchExpressions)+len(bud.Spec.Selector.MatchExpressions) > 0 {
			t.Error("matchExpressions: keep to matchLabels, which this check can compare")
		}
		for _, s := range []struct {
			what string
			sel  map[string]string
		}{{"Deployment selector", d.Spec.Selector.MatchLabels}, {"Service selector", svc.Spec.Selector}, {"PodDisruptionBudget selector", bud.Spec.Selector.MatchLabels}} {
			if !selects(s.sel, podLabels) {
				t.Errorf("%s %v does not select the pod template's labels %v", s.what, s.sel, podLabels)
			}
		}
		if !maps.Equal(svc.Spec.Selector, d.Spec.Selector.MatchLabels) || !maps.Equal(bud.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) {
			t.Errorf("Service %v and PDB %v select other pods than the Deployment %v", svc.Spec.Selector, bud.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels)
		}
		ref := as.Spec.ScaleTargetRef
		if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != deployName {
			t.Errorf("%s scales %s %s %q, want apps/v1 Deployment %q", hpaObj.file, ref.APIVersion, ref.Kind, ref.Name, deployName)
		}
	})

	t.Run("ports and probes", func(t *testing.T) {
		if h.live == h.ready || h.live == "" || h.ready == "" {
			t.Errorf("liveness %q and readiness %q: want two paths (alive, and ready to serve)", h.live, h.ready)
		}
		_, image := imagePort(t)
		if h.port != image {
			t.Errorf("probes reach port %d, the image serves %d (Dockerfile's ENTRYPOINT --http)", h.port, image)
		}
		if len(c.Command) > 0 {
			t.Errorf("container command %v replaces the image's serve --hosted entrypoint", c.Command)
		}
		if len(svc.Spec.Ports) == 0 {
			t.Fatal("the Service exposes no port")
		}
		for _, p := range svc.Spec.Ports {
			if got := portNumber(t, c, p.TargetPort); got != image {
				t.Errorf("Service port %d targets %d, the image serves %d", p.Port, got, image)
			}
		}
		if svc.Spec.SessionAffinity != "" && svc.Spec.SessionAffinity != "None" {
			t.Errorf("Service sessionAffinity %s: the server is stateless, stickiness would only unbalance it", svc.Spec.SessionAffinity)
		}
		if r := c.ReadinessProbe; h.drain > 0 {
			// Kubernetes' defaults: periodSeconds 10, failureThreshold 3.
			notice := time.Duration(cmp.Or(r.PeriodSeconds, 10)*cmp.Or(r.FailureThreshold, 3)) * time.Second
			if notice >= h.drain {
				t.Errorf("readiness notices a draining pod after %v (periodSeconds times failureThreshold), not within --drain-time %v", notice, h.drain)
			}
		}
	})

	t.Run("resources", func(t *testing.T) {
		for _, res := range []string{"cpu", "memory"} {
			req, err1 := quantity(c.Resources.Requests[res])
			lim, err2 := quantity(c.Resources.Limits[res])
			if err1 != nil || err2 != nil || req <= 0 || lim <= 0 {
				t.Errorf("%s request %q and limit %q: want both set", res, c.Resources.Requests[res], c.Resources.Limits[res])
				continue
			}
			if req > lim {
				t.Errorf("%s request %s above its limit %s", res, c.Resources.Requests[res], c.Resources.Limits[res])
			}
		}
		var gomem *envVar
		for i := range c.Env {
			if c.Env[i].Name == "GOMEMLIMIT" {
				gomem = &c.Env[i]
			}
		}
		switch {
		case gomem == nil || gomem.ValueFrom == nil || gomem.ValueFrom.ResourceFieldRef == nil:
			t.Error("no GOMEMLIMIT from the container's memory limit (valueFrom.resourceFieldRef): the Go heap would not know its bound")
		case gomem.ValueFrom.ResourceFieldRef.Resource != "limits.memory" || gomem.ValueFrom.ResourceFieldRef.ContainerName != c.Name:
			t.Errorf("GOMEMLIMIT from %+v, want limits.memory of container %s", *gomem.ValueFrom.ResourceFieldRef, c.Name)
		case gomem.ValueFrom.ResourceFieldRef.Divisor != "" && gomem.ValueFrom.ResourceFieldRef.Divisor != "1":
			t.Errorf("GOMEMLIMIT divisor %s: Go reads a number without a unit as bytes, so the divisor must be 1", gomem.ValueFrom.ResourceFieldRef.Divisor)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		if h.rateLimit == 0 {
			t.Fatal("GANDI_MCP_RATE_LIMIT is not set: say how many Gandi requests a minute each replica may make")
		}
		if total := h.rateLimit * as.Spec.MaxReplicas; total > gandiRequestsPerMinute {
			t.Errorf("GANDI_MCP_RATE_LIMIT=%d times maxReplicas %d is %d a minute, above Gandi's %d per source address",
				h.rateLimit, as.Spec.MaxReplicas, total, gandiRequestsPerMinute)
		}
	})

	t.Run("autoscaling", func(t *testing.T) {
		cpu := false
		for _, m := range as.Spec.Metrics {
			cpu = cpu || (m.Type == "Resource" && m.Resource != nil && m.Resource.Name == "cpu" &&
				m.Resource.Target.Type == "Utilization" && m.Resource.Target.AverageUtilization > 0 && m.Resource.Target.AverageUtilization <= 100)
		}
		if !cpu {
			t.Error("the HPA has no CPU utilization target")
		}
	})

	t.Run("disruption budget", func(t *testing.T) {
		if (bud.Spec.MinAvailable.Kind == 0) == (bud.Spec.MaxUnavailable.Kind == 0) {
			t.Fatal("PodDisruptionBudget: want exactly one of minAvailable and maxUnavailable")
		}
		replicas := 0
		if d.Spec.Replicas != nil {
			replicas = *d.Spec.Replicas
		}
		if n := bud.Spec.MinAvailable; n.Kind != 0 {
			v, err := strconv.Atoi(n.Value)
			if err != nil || v < 1 || v >= replicas {
				t.Errorf("minAvailable %s: want at least 1 and fewer than the %d replicas, or no node can ever be drained", n.Value, replicas)
			}
		}
		if n := bud.Spec.MaxUnavailable; n.Kind != 0 {
			if v, err := strconv.Atoi(n.Value); err != nil || v < 1 || v >= replicas {
				t.Errorf("maxUnavailable %s: want at least 1 and fewer than the %d replicas", n.Value, replicas)
			}
		}
	})

	t.Run("security", func(t *testing.T) {
		pod, ctr := spec.SecurityContext, c.SecurityContext
		if !isTrue(pod.RunAsNonRoot) && !isTrue(ctr.RunAsNonRoot) {
			t.Error("runAsNonRoot is not true")
		}
		for _, u := range []*int{pod.RunAsUser, ctr.RunAsUser} {
			if u != nil && *u == 0 {
				t.Error("runAsUser 0 is root")
			}
		}
		if !isTrue(ctr.ReadOnlyRootFilesystem) {
			t.Error("readOnlyRootFilesystem is not true")
		}
		if ctr.AllowPrivilegeEscalation == nil || *ctr.AllowPrivilegeEscalation {
			t.Error("allowPrivilegeEscalation is not false")
		}
		if isTrue(ctr.Privileged) {
			t.Error("the container is privileged")
		}
		if ctr.Capabilities == nil || !slices.Contains(ctr.Capabilities.Drop, "ALL") || len(ctr.Capabilities.Add) > 0 {
			t.Errorf("capabilities %+v: want drop [ALL] and nothing added", ctr.Capabilities)
		}
		seccomp := pod.SeccompProfile
		if ctr.SeccompProfile != nil {
			seccomp = ctr.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != "RuntimeDefault" {
			t.Errorf("seccompProfile %+v: want RuntimeDefault", seccomp)
		}
	})

	t.Run("draining", func(t *testing.T) {
		if h.preStop < time.Second && h.drain < time.Second {
			t.Error("no preStop sleep and no --drain-time: the pod stops accepting before it has left the Service's endpoints")
		}
		grace := 30 * time.Second // Kubernetes' default
		if spec.TerminationGracePeriodSeconds != nil {
			grace = time.Duration(*spec.TerminationGracePeriodSeconds) * time.Second
		}
		if need := h.preStop + h.drain + callsBound; grace <= need {
			t.Errorf("terminationGracePeriodSeconds %v: want more than preStop %v, --drain-time %v and the server's %v for calls in flight, or those calls are killed",
				grace, h.preStop, h.drain, callsBound)
		}
	})

	t.Run("kustomization", func(t *testing.T) {
		data, err := os.ReadFile("kubernetes/kustomization.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var k struct {
			Resources []string `yaml:"resources"`
		}
		if err := yaml.Unmarshal(data, &k); err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, o := range objs {
			if o.Kind != "Kustomization" && !slices.Contains(files, o.file) {
				files = append(files, o.file)
			}
		}
		slices.Sort(files)
		slices.Sort(k.Resources)
		if !slices.Equal(files, k.Resources) {
			t.Errorf("kustomization resources %v, want every manifest %v", k.Resources, files)
		}
	})
}

// imagePort is the Dockerfile's ENTRYPOINT and the port of its --http.
func imagePort(t testing.TB) ([]string, int) {
	t.Helper()
	stages := parseDockerfile(t, "../Dockerfile")
	argv := entrypoint(t, stages[len(stages)-1])
	addr, _ := flagValue(argv, "--http")
	_, port, _ := strings.Cut(addr, ":")
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("ENTRYPOINT --http %q has no port: %v", addr, err)
	}
	return argv, n
}
