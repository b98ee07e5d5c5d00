// demoArgs gives a tool the arguments it requires on the demo account: the
// account is the same in every `serve --demo` process, so values read with
// `gandi-mcp call --demo` work in any other. GANDI_MCP_BIN is the binary.
import { execFileSync } from "node:child_process";

const bin = process.env.GANDI_MCP_BIN;

function callDemo(tool, args) {
  const out = execFileSync(bin, ["call", "--demo", tool, JSON.stringify(args), "--json"],
    { encoding: "utf8", env: { ...process.env, GORACE: "halt_on_error=1 atexit_sleep_ms=0" } });
  return JSON.parse(out);
}

let known;

function demoValues() {
  if (!known) {
    const domains = callDemo("list_domains", { all: true }).domains;
    const fqdn = domains.find((d) => d.nameserver === "livedns")?.fqdn;
    if (!fqdn) throw new Error("no demo domain is on LiveDNS");
    const snapshot = callDemo("list_dns_snapshots", { fqdn }).snapshots[0]?.id;
    if (!snapshot) throw new Error(`the demo domain ${fqdn} has no snapshot`);
    known = { fqdn, snapshot };
  }
  return known;
}

// A plan (apply false): nothing changes on the demo account.
export function demoArgs(tool) {
  const required = tool.inputSchema?.required ?? [];
  const args = {};
  for (const name of required) {
    switch (name) {
      case "fqdn": args.fqdn = demoValues().fqdn; break;
      case "snapshot_id": args.snapshot_id = demoValues().snapshot; break;
      case "years": args.years = 1; break;
      case "names": args.names = ["gandi-mcp-e2e.fr", demoValues().fqdn]; break;
      case "enabled": args.enabled = true; break;
      case "nameservers": args.nameservers = ["ns1.dns-host.example", "ns2.dns-host.example"]; break;
      case "changes": args.changes = [{ op: "add", name: "gandi-mcp-e2e", type: "TXT", values: ["e2e"] }]; break;
      default: throw new Error(`no demo value for ${tool.name}'s required argument ${name}`);
    }
  }
  return args;
}
