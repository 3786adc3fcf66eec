// The official Node SDK against assistants-mock: prints one JSON summary per scenario.
// Driven by tests/test_node_sdk.py with OPENAI_BASE_URL and OPENAI_API_KEY set.
import OpenAI, { toFile } from "openai";

const client = new OpenAI({ maxRetries: 0 });

async function consume(stream) {
  const callbacks = [];
  const events = [];
  let text = "";
  stream
    .on("event", (e) => events.push(e.event))
    .on("runStepCreated", () => callbacks.push("runStepCreated"))
    .on("runStepDone", (s) => callbacks.push(`runStepDone:${s.status}`))
    .on("messageCreated", () => callbacks.push("messageCreated"))
    .on("messageDone", (m) => callbacks.push(`messageDone:${m.status}`))
    .on("textCreated", () => callbacks.push("textCreated"))
    .on("textDelta", (delta) => {
      text += delta.value;
      if (callbacks.at(-1) !== "textDelta*") callbacks.push("textDelta*");
    })
    .on("textDone", () => callbacks.push("textDone"))
    .on("end", () => callbacks.push("end"));
  const run = await stream.finalRun();
  const messages = await stream.finalMessages();
  return {
    callbacks,
    events,
    text,
    run: { id: run.id, status: run.status, usage: run.usage, thread_id: run.thread_id },
    messages: messages.map((m) => ({ id: m.id, status: m.status, text: m.content[0].text.value })),
  };
}

async function tools() {
  const assistant = await client.beta.assistants.create({
    model: "gpt-4o",
    tools: [
      {
        type: "function",
        function: {
          name: "get_current_weather",
          description: "Get the current weather in a city",
          parameters: {
            type: "object",
            properties: { location: { type: "string" } },
            required: ["location"],
          },
        },
      },
    ],
  });
  const callbacks = [];
  let args = "";
  const first = client.beta.threads
    .createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: "user", content: "What is the weather in Lima?" }] },
    })
    .on("toolCallCreated", (call) => callbacks.push(`toolCallCreated:${call.type}`))
    .on("toolCallDelta", (delta) => {
      args += delta.function?.arguments ?? "";
    })
    .on("toolCallDone", (call) => callbacks.push(`toolCallDone:${call.function.arguments}`));
  const waiting = await first.finalRun();
  const call = waiting.required_action.submit_tool_outputs.tool_calls[0];
  const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [{ tool_call_id: call.id, output: "warm and sunny" }],
  });
  const done = await consume(second);
  return {
    status: waiting.status,
    callbacks,
    args,
    arguments: call.function.arguments,
    final: done.run.status,
    text: done.text,
  };
}

async function code() {
  const assistant = await client.beta.assistants.create({
    model: "gpt-4o",
    tools: [{ type: "code_interpreter" }],
  });
  let input = "";
  const logs = [];
  const callbacks = [];
  const stream = client.beta.threads
    .createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: "user", content: "What is 123 * 456?" }] },
    })
    .on("toolCallCreated", (call) => callbacks.push(`toolCallCreated:${call.type}`))
    .on("toolCallDelta", (delta) => {
      input += delta.code_interpreter?.input ?? "";
      for (const output of delta.code_interpreter?.outputs ?? []) logs.push(output.logs);
    })
    .on("toolCallDone", (call) => callbacks.push(`toolCallDone:${call.type}`));
  const done = await consume(stream);
  return { callbacks, input, logs, status: done.run.status, text: done.text };
}

async function search() {
  const file = await client.files.create({
    file: await toFile(
      Buffer.from("Penguins live mostly in the Southern Hemisphere.\n\nKoalas eat leaves."),
      "notes.txt",
    ),
    purpose: "assistants",
  });
  const store = await client.vectorStores.create({ name: "notes", file_ids: [file.id] });
  const assistant = await client.beta.assistants.create({
    model: "gpt-4o",
    tools: [{ type: "file_search" }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const callbacks = [];
  const stream = client.beta.threads
    .createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: "user", content: "Where do penguins live?" }] },
    })
    .on("toolCallCreated", (call) => callbacks.push(`toolCallCreated:${call.type}`));
  const done = await consume(stream);
  const final = (await stream.finalMessages())[0].content[0].text;
  return {
    callbacks,
    fileId: file.id,
    status: done.run.status,
    text: final.value,
    annotations: final.annotations,
  };
}

async function main() {
  const assistant = await client.beta.assistants.create({
    model: "gpt-4o",
    instructions: "You are a helpful assistant.",
  });
  const thread = await client.beta.threads.create({
    messages: [{ role: "user", content: "Tell me what a penguin is in 100 words or less." }],
  });
  const out = {};
  out.stream = await consume(
    client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }),
  );
  out.createAndRunStream = await consume(
    client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: "user", content: "Write 400 words about Rome." }] },
      max_completion_tokens: 256,
    }),
  );
  const polled = await client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
  });
  out.createAndPoll = { status: polled.status };
  try {
    await client.beta.assistants.retrieve("asst_nope");
    out.notFound = null;
  } catch (error) {
    out.notFound = { name: error.constructor.name, status: error.status, error: error.error };
  }
  const steps = [];
  for await (const step of client.beta.threads.runs.steps.list(out.stream.run.id, {
    thread_id: thread.id,
  })) {
    steps.push({ type: step.type, status: step.status });
  }
  out.steps = steps;
  out.tools = await tools();
  out.code = await code();
  out.search = await search();
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
