// The official TypeScript SDK client against the built binary over stdio, on
// the demo account. It drops progress that arrives after a call's result and
// validates structuredContent against the tool's outputSchema, errors included.
// GANDI_MCP_BIN is the binary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { demoArgs } from "./demo-args.mjs";

const bin = process.env.GANDI_MCP_BIN;
assert.ok(bin, "GANDI_MCP_BIN must name the gandi-mcp binary");

let client;
let tools;
const received = []; // every message from the server, in arrival order
const sentCalls = []; // the tools/call requests the client sent
const clientErrors = [];

before(async () => {
  const transport = new StdioClientTransport({
    command: bin,
    args: ["serve", "--demo"],
    env: { ...process.env, GORACE: "halt_on_error=1 atexit_sleep_ms=0" },
    stderr: "inherit",
  });
  client = new Client({ name: "gandi-mcp-progress-test", version: "1.0.0" });
  client.onerror = (err) => clientErrors.push(err);
  await client.connect(transport);
  const handle = transport.onmessage;
  transport.onmessage = (message, extra) => {
    received.push(message);
    handle(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (message.method === "tools/call") sentCalls.push(message);
    return send(message, options);
  };
  tools = (await client.listTools()).tools; // also arms the SDK's outputSchema validators
});

after(async () => {
  await client?.close();
});

function tool(name) {
  const t = tools.find((t) => t.name === name);
  assert.ok(t, `${name} is not among the tools (${tools.map((t) => t.name).join(", ")}): this test needs it`);
  return t;
}

test("list_domains with a progress token: every progress notification arrives before the result", async () => {
  tool("list_domains");
  const progress = [];
  const result = await client.callTool(
    { name: "list_domains", arguments: { all: true } },
    undefined,
    { onprogress: (p) => progress.push(p), timeout: 60_000 },
  );
  assert.notEqual(result.isError, true, `list_domains answered an error: ${JSON.stringify(result)}`);
  assert.equal(result.structuredContent?.demo, true, "the result is not marked demo");

  const request = sentCalls.findLast((m) => m.params.name === "list_domains");
  assert.ok(request?.params._meta?.progressToken !== undefined, "the SDK sent no progress token");
  const at = received.findIndex((m) => m.id === request.id && "result" in m);
  assert.ok(at >= 0, "the result was not seen on the wire");
  const sent = received.filter((m) => m.method === "notifications/progress");
  const late = received.slice(at + 1).filter((m) => m.method === "notifications/progress");
  assert.ok(sent.length >= 2, `${sent.length} progress notification(s) for 300 domains on 3 pages, want at least 2`);
  assert.equal(late.length, 0, `${late.length} progress notification(s) arrived after the result and were dropped`);
  assert.equal(progress.length, sent.length, "the SDK did not deliver every progress notification");
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].progress > progress[i - 1].progress, `progress went from ${progress[i - 1].progress} to ${progress[i].progress}`);
  }
  const last = progress.at(-1);
  if (last.total !== undefined) assert.ok(last.progress <= last.total, `progress ${last.progress} beyond total ${last.total}`);
  assert.deepEqual(clientErrors.map(String), [], "the client reported errors (an unknown progress token is one)");
});

test("an error result carries troubleshooting that validates against the output schema", async () => {
  tool("verify_token");
  // callTool throws if structuredContent does not validate against verify_token's outputSchema.
  const result = await client.callTool({ name: "verify_token", arguments: { no_such_argument: 1 } });
  assert.equal(result.isError, true);
  assert.equal(result.structuredContent.troubleshooting.diagnosis, "invalid_input");
  assert.ok(result.structuredContent.troubleshooting.next_steps.length > 0);
});

test("every listed tool's result validates against its output schema", async () => {
  for (const t of tools) {
    const result = await client.callTool({ name: t.name, arguments: demoArgs(t) }, undefined, { timeout: 60_000 });
    assert.notEqual(result.isError, true, `${t.name}: ${JSON.stringify(result)}`);
    if (t.outputSchema) assert.ok(result.structuredContent, `${t.name} declares an output schema but sent no structuredContent`);
  }
});
