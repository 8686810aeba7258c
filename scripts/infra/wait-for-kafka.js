#!/usr/bin/env node
// Waits until a Kafka broker answers admin calls: listTopics, and describeGroups through the group coordinator.
//   node scripts/infra/wait-for-kafka.js --brokers 127.0.0.1:19092 [--timeout 60000] [--pid 1234]
// Exits 0 when it answers, 1 on the deadline or when the process --pid has exited.
'use strict';
const fs = require('node:fs');
const { Kafka, logLevel } = require('kafkajs');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const brokers = arg('brokers', '127.0.0.1:19092').split(',');
const timeoutMs = Number(arg('timeout', '60000'));
const pid = arg('pid', undefined);
const intervalMs = 200;

function processAlive(p) {
  try {
    process.kill(Number(p), 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${p}/stat`, 'utf8')); // a zombie has exited
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

async function main() {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    if (pid && !processAlive(pid)) {
      console.error(`[kafka] broker process ${pid} exited before it answered`);
      return 1;
    }
    const admin = new Kafka({
      clientId: 'wait-for-kafka',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      // Ready means consumers can join groups too: the group coordinator has loaded its partition.
      const { groups } = await admin.describeGroups(['wait-for-kafka']);
      if (groups[0] && groups[0].errorCode === 0) return 0;
      lastError = `group coordinator answered error code ${groups[0] && groups[0].errorCode}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  console.error(`[kafka] ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${lastError}`);
  return 1;
}

main().then((code) => process.exit(code));
