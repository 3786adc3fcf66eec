// Files and vector stores through the official Node SDK against assistants-mock: prints
// one JSON summary. Driven by tests/test_vector_stores.py with OPENAI_BASE_URL and
// OPENAI_API_KEY set.
import OpenAI, { toFile } from "openai";

const client = new OpenAI({ maxRetries: 0 });

const text = "Penguins are birds.\n\nThey eat krill.";
const uploaded = await client.files.create({
  file: await toFile(Buffer.from(text), "penguins.txt"),
  purpose: "assistants",
});
const content = await (await client.files.content(uploaded.id)).text();
const store = await client.vectorStores.create({ name: "kb", file_ids: [uploaded.id] });
const attached = await client.vectorStores.files.uploadAndPoll(
  store.id,
  await toFile(Buffer.from("Whales eat krill too."), "whales.txt"),
  { pollIntervalMs: 60000 },
);
const batch = await client.vectorStores.fileBatches.uploadAndPoll(
  store.id,
  { files: [await toFile(Buffer.from("a"), "a.txt"), await toFile(Buffer.from("b"), "b.txt")] },
  { pollIntervalMs: 60000 },
);
const files = [];
for await (const file of client.vectorStores.files.list(store.id, { order: "asc" })) {
  files.push(file.id);
}
const found = await client.vectorStores.search(store.id, { query: "krill" });
let notFound = null;
try {
  await client.files.retrieve("file-nope");
} catch (error) {
  notFound = { status: error.status, message: error.error?.message, param: error.error?.param };
}
const after = await client.vectorStores.retrieve(store.id);
console.log(
  JSON.stringify({
    uploaded: { id: uploaded.id, bytes: uploaded.bytes, status: uploaded.status },
    content,
    attached: { id: attached.id, status: attached.status },
    batch: { status: batch.status, counts: batch.file_counts },
    files,
    search: found.data.map((r) => [r.filename, r.score]),
    notFound,
    counts: after.file_counts,
  }),
);
