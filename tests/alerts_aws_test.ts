/**
 * SNS and SQS outputs delivering to the fauxqs emulator through the real AWS
 * SDK, read back with ReceiveMessage.
 */
import assert from "node:assert/strict";
import { startFauxqs } from "fauxqs";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { openStore, type Store } from "../src/store/db.ts";
import { applyMatches } from "../src/alerts/dedup.ts";
import { deliverDue } from "../src/alerts/forwarder.ts";
import { closeOutputs, createOutputs } from "../src/alerts/outputs/registry.ts";
import { match, ruleMeta } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
/** What the outputs read their credentials from. */
const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

function seed(store: Store, n: number, outputs: string[]): string[] {
  const rule = ruleMeta("Test.Aws", { outputIds: outputs, severity: "Critical" });
  const matches = Array.from({ length: n }, (_, i) =>
    match(rule.id, T0 + i * 1000, `row-${i}`, {
      dedup: `actor-${i}`,
      severity: "Critical",
      title: `Trail deleted by actor ${i}`,
    }));
  const r = store.transaction(() =>
    applyMatches(store, matches, new Map([[rule.id, rule]]), {
      outputs: new Set(outputs),
      defaultOutputs: outputs,
    })
  );
  return r.fired.map((a) => a.id).sort();
}

async function receiveAll(sqs: SQSClient, queueUrl: string, expected: number) {
  const messages = [];
  for (let i = 0; i < 20 && messages.length < expected; i++) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
      }),
    );
    messages.push(...(r.Messages ?? []));
  }
  return messages;
}

Deno.test("sqs and sns outputs deliver alerts that are read back from the queues", async () => {
  const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const clientConfig = { endpoint, region: REGION, credentials: CREDENTIALS };
  const sqs = new SQSClient(clientConfig);
  const sns = new SNSClient(clientConfig);
  const store = openStore(":memory:");
  const outputs = new Map();
  try {
    const direct = await sqs.send(new CreateQueueCommand({ QueueName: "iota-alerts" }));
    const fanout = await sqs.send(new CreateQueueCommand({ QueueName: "iota-alerts-from-sns" }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: fanout.QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const topic = await sns.send(new CreateTopicCommand({ Name: "iota-alerts" }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: "sqs",
        Endpoint: attrs.Attributes!.QueueArn,
      }),
    );

    for (
      const [name, output] of createOutputs([
        { name: "queue", type: "sqs", queue_url: direct.QueueUrl, endpoint, region: REGION },
        { name: "topic", type: "sns", topic_arn: topic.TopicArn, endpoint, region: REGION },
      ], ENV)
    ) outputs.set(name, output);
    const ids = seed(store, 3, ["queue", "topic"]);
    const report = await deliverDue(store, outputs);
    assert.deepEqual(report, { delivered: 6, retrying: 0, failed: 0 });

    const fromQueue = await receiveAll(sqs, direct.QueueUrl!, 3);
    assert.deepEqual(fromQueue.map((m) => JSON.parse(m.Body!).id).sort(), ids);
    const first = JSON.parse(fromQueue[0].Body!);
    assert.equal(first.rule_id, "Test.Aws");
    assert.equal(first.severity, "Critical");
    assert.equal(fromQueue[0].MessageAttributes?.severity?.StringValue, "Critical");
    assert.equal(fromQueue[0].MessageAttributes?.alert_id?.StringValue, first.id);

    // Without raw delivery, SNS wraps the alert in its envelope.
    const fromTopic = await receiveAll(sqs, fanout.QueueUrl!, 3);
    const envelopes = fromTopic.map((m) => JSON.parse(m.Body!));
    assert.deepEqual(envelopes.map((e) => JSON.parse(e.Message).id).sort(), ids);
    assert.equal(envelopes[0].TopicArn, topic.TopicArn);
    assert.match(envelopes[0].Subject, /^\[CRITICAL\] Trail deleted by actor \d$/);
    assert.equal(envelopes[0].MessageAttributes.rule_id.Value, "Test.Aws");
  } finally {
    store.close();
    await closeOutputs(outputs);
    sqs.destroy();
    sns.destroy();
    await server.stop();
  }
});

Deno.test("sqs output to a missing queue leaves the delivery pending for a retry", async () => {
  const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const store = openStore(":memory:");
  const outputs = createOutputs([
    {
      name: "queue",
      type: "sqs",
      queue_url: `${endpoint}/000000000000/no-such-queue`,
      endpoint,
      region: REGION,
    },
  ], ENV);
  try {
    seed(store, 1, ["queue"]);
    const report = await deliverDue(store, outputs, {
      policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    assert.deepEqual(report, { delivered: 0, retrying: 1, failed: 0 });
  } finally {
    store.close();
    await closeOutputs(outputs);
    await server.stop();
  }
});
