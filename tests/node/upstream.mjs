// The official Node SDK's stream helpers on a run played by an upstream chat-completions
// model (driven by tests/test_upstream_replay.py, whose stub replays a recorded stream with
// a tool call): the run pauses for the call, the outputs resume it, the reply streams in.
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });

const weather = {
  type: "function",
  function: {
    name: "get_current_weather",
    description: "Get the current weather",
    parameters: {
      type: "object",
      properties: { location: { type: "string", description: "The city and state, e.g. San Francisco, CA" } },
      required: ["location"],
    },
  },
};

async function main() {
  const assistant = await client.beta.assistants.create({ model: "gpt-3.5-turbo", tools: [weather] });
  const thread = await client.beta.threads.create({
    messages: [{ role: "user", content: "What's the weather like in San Francisco?" }],
  });
  const events = [];
  const callbacks = [];
  const first = client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    .on("event", (e) => events.push(e.event))
    .on("toolCallCreated", (call) => callbacks.push(`toolCallCreated:${call.id}`))
    .on("toolCallDone", (call) => callbacks.push(`toolCallDone:${call.function.arguments}`));
  const paused = await first.finalRun();
  const call = paused.required_action.submit_tool_outputs.tool_calls[0];
  let text = "";
  const second = client.beta.threads.runs
    .submitToolOutputsStream(paused.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: call.id, output: "18C, fog" }],
    })
    .on("event", (e) => events.push(e.event))
    .on("textDelta", (delta) => {
      text += delta.value;
    });
  const run = await second.finalRun();
  process.stdout.write(
    JSON.stringify({ events, callbacks, paused: paused.status, call, status: run.status, text }),
  );
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
