import type { KafkaMessage } from 'kafkajs';

export interface KeyOrderedRun {
  /** The last offset of the batch's unbroken prefix of handled messages: safe to commit. */
  handledThrough: string | undefined;
  /** The first failure of a handler, if any; the messages after it in its key were not handled. */
  failure: Error | undefined;
}

/**
 * Handles one partition's batch with up to `concurrency` keys at once while each key's messages
 * keep their order: a message starts only after the one before it with the same key has finished.
 * Messages without a key are independent of each other. `shouldContinue` is asked before each
 * message (a consumer that is stopping or lost the partition handles nothing more).
 */
export async function handleInKeyOrder(
  messages: readonly KafkaMessage[],
  concurrency: number,
  handle: (message: KafkaMessage) => Promise<void>,
  shouldContinue: () => boolean = () => true,
): Promise<KeyOrderedRun> {
  const handled = new Set<string>();
  let failure: Error | undefined;
  const chains = [...groupByKey(messages).values()];
  let nextChain = 0;
  const worker = async (): Promise<void> => {
    for (let chain = chains[nextChain++]; chain; chain = chains[nextChain++]) {
      for (const message of chain) {
        if (failure !== undefined || !shouldContinue()) return;
        try {
          await handle(message);
          handled.add(message.offset);
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, chains.length)) }, worker));
  let handledThrough: string | undefined;
  for (const message of messages) {
    if (!handled.has(message.offset)) break;
    handledThrough = message.offset;
  }
  return { handledThrough, failure };
}

function groupByKey(messages: readonly KafkaMessage[]): Map<string, KafkaMessage[]> {
  const chains = new Map<string, KafkaMessage[]>();
  for (const message of messages) {
    const key = message.key === null ? `offset ${message.offset}` : `key ${message.key.toString('base64')}`;
    const chain = chains.get(key);
    if (chain) chain.push(message);
    else chains.set(key, [message]);
  }
  return chains;
}
