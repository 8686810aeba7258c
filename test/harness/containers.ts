/**
 * Container infrastructure through Testcontainers: apache/kafka and postgres images, never pulled
 * (this machine and CI cannot pull), so `auto` picks containers only when both images are present.
 * testcontainers is loaded lazily: local and external modes never load it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { ROOT } from '../../scripts/lib/paths';
import { freePorts } from '../../scripts/lib/ports';
import { progress } from './local-infra';

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const POSTGRES_IMAGE = 'postgres:15';

/** True when a container engine answers and both images exist locally. */
export async function containersUsable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const present = await Promise.all(
      [KAFKA_IMAGE, POSTGRES_IMAGE].map((image) => client.image.exists(ImageName.fromString(image))),
    );
    return present.every(Boolean);
  } catch {
    return false;
  }
}

export async function startContainers(): Promise<{
  containers: StartedTestContainer[];
  kafkaBrokers: string;
  databaseUrl: string;
}> {
  // Ryuk (the reaper) is another image that cannot be pulled here; teardown stops our containers itself.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  // Kafka advertises the address clients use, so its host port is chosen before the container starts.
  const [kafkaPort] = (await freePorts(1)) as [number];
  progress(`docker mode: starting ${KAFKA_IMAGE} and ${POSTGRES_IMAGE}`);
  const started = await Promise.allSettled([
    new GenericContainer(KAFKA_IMAGE)
      .withExposedPorts({ container: kafkaPort, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_HEAP_OPTS: '-Xmx384m -XX:+UseSerialGC',
      })
      .withStartupTimeout(120_000)
      .start(),
    new GenericContainer(POSTGRES_IMAGE)
      .withExposedPorts(5432)
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withCommand(['postgres', '-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start(),
  ]);
  const containers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopContainers(containers);
    throw failed.reason;
  }
  const [, pg] = containers as [StartedTestContainer, StartedTestContainer];
  const kafkaBrokers = `${host}:${kafkaPort}`;
  // The port listens before the broker serves requests: probe it the same way the scripts do.
  await waitForKafka(kafkaBrokers).catch(async (err: unknown) => {
    await stopContainers(containers);
    throw err;
  });
  return { containers, kafkaBrokers, databaseUrl: `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres` };
}

function waitForKafka(brokers: string): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/infra/wait-for-kafka.js'), '--brokers', brokers, '--timeout', '60000'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? ok() : fail(new Error(`Kafka container at ${brokers} did not answer`))));
  });
}

export async function stopContainers(containers: StartedTestContainer[]): Promise<void> {
  await Promise.all(containers.map((c) => c.stop({ remove: true }).catch((e: Error) => progress(`stopping ${c.getId()}: ${e.message}`))));
}
