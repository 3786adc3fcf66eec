// The official Node SDK against `assistants-mock replay` of openllmetry's real recording
// (tests/data/openllmetry__test_streaming_new_assistant.yaml): the same calls as the
// recorded Python test, printing what the stream delivered as JSON.
// Driven by tests/test_replay.py with OPENAI_BASE_URL and OPENAI_API_KEY set.
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });

async function main() {
  const assistant = await client.beta.assistants.create({
    name: "Math Tutor",
    instructions: "You are a personal math tutor. Write and run code to answer math questions.",
    tools: [{ type: "code_interpreter" }],
    model: "gpt-4o-mini",
  });
  const thread = await client.beta.threads.create({});
  await client.beta.threads.messages.create(thread.id, {
    role: "user",
    content: "I need to solve the equation `3x + 11 = 14`. Can you help me?",
  });
  await client.beta.assistants.retrieve(assistant.id);
  const events = [];
  const code = [];
  let text = "";
  const stream = client.beta.threads.runs
    .stream(thread.id, {
      assistant_id: assistant.id,
      instructions: "Please address the user as Jane Doe. The user has a premium account.",
    })
    .on("event", (e) => events.push(e.event))
    .on("toolCallDelta", (delta) => {
      if (delta.type === "code_interpreter" && delta.code_interpreter?.input) {
        code.push(delta.code_interpreter.input);
      }
    })
    .on("textDelta", (delta) => {
      text += delta.value;
    });
  const run = await stream.finalRun();
  process.stdout.write(
    JSON.stringify({ assistant: assistant.id, thread: thread.id, events, code, text, run }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
