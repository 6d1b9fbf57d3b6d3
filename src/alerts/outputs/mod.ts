/**
 * Alert outputs: the interface, the registry that builds them from the config
 * file, and each output type.
 * @module
 */
export { DeliveryRejectedError, type Output } from "./types.ts";
export {
  BUILTIN_OUTPUT,
  closeOutputs,
  createOutputs,
  type CreateOutputsOptions,
  OUTPUT_TYPES,
  outputsFromConfig,
} from "./registry.ts";
export type { Env } from "./_config.ts";
export { stdoutOutput } from "./stdout.ts";
export { fileOutput } from "./file.ts";
export { signBody, webhookOutput } from "./webhook.ts";
export { slackMessage, slackOutput } from "./slack.ts";
export { pagerDutyEvent, pagerDutyOutput } from "./pagerduty.ts";
export { snsOutput } from "./sns.ts";
export { sqsOutput } from "./sqs.ts";
