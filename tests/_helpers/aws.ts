/**
 * The fauxqs S3/SQS/SNS emulator, started in-process on 127.0.0.1, with real
 * AWS SDK clients pointed at it.
 * @module
 */
import { startFauxqs } from "fauxqs";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateBucketCommand } from "@aws-sdk/client-s3";

/** Dummy credentials the emulator accepts; also handed to child processes. */
export const AWS_TEST_ENV = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
};

/** A running emulator and an S3 client for it. */
export interface Emulator {
  endpoint: string;
  s3: S3Client;
  stop(): Promise<void>;
}

/** Starts the emulator on a free port. */
export async function startEmulator(): Promise<Emulator> {
  const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const s3 = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    endpoint,
    s3,
    async stop() {
      s3.destroy();
      await server.stop();
    },
  };
}

/** Creates a bucket and uploads `files` (key → bytes). */
export async function putObjects(
  s3: S3Client,
  bucket: string,
  files: Record<string, Uint8Array>,
): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(files)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
}
