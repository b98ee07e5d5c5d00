// The MCP Inspector's CLI (a client this project did not write) against the
// built binary over stdio, on the demo account. GANDI_MCP_BIN is the binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoArgs } from "./demo-args.mjs";

const bin = process.env.GANDI_MCP_BIN;
assert.ok(bin, "GANDI_MCP_BIN must name the gandi-mcp binary");
const inspector = realpathSync(join(import.meta.dirname, "node_modules", ".bin", "inspector"));
// The Inspector keeps a catalog and client config under HOME: give it one of its own.
const home = mkdtempSync(join(tmpdir(), "gandi-mcp-inspector-"));
process.on("exit", () => rmSync(home, { recursive: true, force: true }));

// inspect runs the Inspector's CLI once and returns its exit status and JSON envelope.
function inspect(...args) {
  const r = spawnSync(process.execPath,
    [inspector, "--cli", "--format", "json", "-e", "GORACE=halt_on_error=1 atexit_sleep_ms=0", ...args, bin, "serve", "--demo"],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, HOME: home } });
  let envelope;
  try {
    envelope = JSON.parse(r.stdout);
  } catch {
    envelope = undefined;
  }
  return { status: r.status, envelope, stderr: r.stderr, stdout: r.stdout };
}

const listed = inspect("--strict", "--method", "tools/list");

test("tools/list --strict reports no schema problem", () => {
  const r = listed;
  assert.equal(r.status, 0, `tools/list --strict exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.ok(r.envelope?.result?.tools, `tools/list printed no tools: ${r.stdout}`);
  assert.equal(r.envelope.schemaFindings, undefined,
    `schema portability findings:\n${JSON.stringify(r.envelope.schemaFindings, null, 2)}\n${r.stderr}`);
  assert.ok(r.envelope.result.tools.length > 0, "no tools listed");
});

test("every listed tool can be called on the demo account", async (t) => {
  const tools = listed.envelope?.result?.tools;
  assert.ok(tools, "tools/list failed: see the test above");
  for (const tool of tools) {
    await t.test(tool.name, () => {
      const args = JSON.stringify(demoArgs(tool));
      const r = inspect("--method", "tools/call", "--tool-name", tool.name, "--tool-args-json", args);
      assert.equal(r.status, 0, `${tool.name} ${args} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      const result = r.envelope.result;
      assert.notEqual(result.isError, true, `${tool.name} answered an error: ${JSON.stringify(result)}`);
      assert.equal(result.structuredContent?.demo, true, `${tool.name}'s result is not marked demo`);
      assert.match(result.content[0].text, /^DEMO ACCOUNT/);
    });
  }
});
