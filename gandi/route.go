package gandi

import "strings"

// routeParams names the segments that follow a collection in the API's paths,
// as segmentsURL and its callers build them: the segment after /domains/ is a
// domain, the two after /records/ a record set's name and type, and so on.
var routeParams = map[string][]string{
	"domains":       {"{fqdn}"},
	"records":       {"{name}", "{type}"},
	"snapshots":     {"{id}"},
	"organizations": {"{id}"},
	"access-tokens": {"{id}"},
}

// routeWords are the fixed segments of the API's paths; any other segment in
// a place routeParams does not name becomes {param}, so that a route never
// carries a name, an id or a token, whatever path a new method builds.
var routeWords = map[string]bool{
	"v5": true, "domain": true, "domains": true, "livedns": true, "records": true, "snapshots": true,
	"organization": true, "organizations": true, "user-info": true, "access-tokens": true, "check": true,
	"nameservers": true, "autorenew": true, "renew": true, "tokeninfo": true,
}

// Route is the template of the API path p (as a request's Path is, less the
// endpoint's own path): /v5/domain/domains/example.com/renew is
// /v5/domain/domains/{fqdn}/renew. Metrics label requests with it.
func Route(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	var params []string
	for i, s := range segs {
		switch {
		case len(params) > 0:
			segs[i], params = params[0], params[1:]
			continue
		case !routeWords[s]:
			segs[i] = "{param}"
		}
		params = routeParams[s]
	}
	return "/" + strings.Join(segs, "/")
}
