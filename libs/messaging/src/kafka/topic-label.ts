/** The topic as the catalogue names it, for a metric label: a deployment's KAFKA_TOPIC_PREFIX would make every dashboard deployment-specific. */
export function unprefixed(topic: string, prefix: string): string {
  return prefix !== '' && topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
}
