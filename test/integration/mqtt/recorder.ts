// A real MQTT subscriber (mqtt.js, its own connection) that records everything it receives, so
// tests can wait for messages by content instead of sleeping.
import { connectAsync, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: Buffer;
  text: string;
  retain: boolean;
}

export class Recorder {
  readonly messages: Received[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload, text: payload.toString('utf8'), retain: packet.retain });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async start(url: string, filters: string[] = ['#'], auth: { username?: string; password?: string } = {}): Promise<Recorder> {
    const client = await connectAsync(url, { ...auth, reconnectPeriod: 500, clientId: `cg-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}` });
    const rec = new Recorder(client);
    await client.subscribeAsync(filters.includes('#') ? filters : [...filters, 'test/sync'], { qos: 1 });
    return rec;
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  last(topic: string): Received | undefined {
    return this.on(topic).at(-1);
  }

  /** Resolves with the first message (from index `from`) matching `pred`. */
  async waitFor(pred: (m: Received) => boolean, what: string, timeoutMs = 20_000, from = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got:\n${this.dump()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitForText(topic: string, text: string, from = 0): Promise<Received> {
    return this.waitFor((m) => m.topic === topic && m.text === text, `${topic} = ${text}`, 20_000, from);
  }

  /**
   * Publishes a marker and waits until it comes back: every message the broker had queued for
   * us before it (retained messages on subscribe, earlier publishes) has arrived by then.
   */
  async sync(): Promise<void> {
    const marker = `sync-${Math.random().toString(16).slice(2)}`;
    await this.client.publishAsync('test/sync', marker, { qos: 1 });
    await this.waitFor((m) => m.topic === 'test/sync' && m.text === marker, 'sync marker');
  }

  async publish(topic: string, payload: string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  dump(): string {
    return this.messages.map((m) => `${m.topic}${m.retain ? ' (retained)' : ''} ${m.payload.length > 200 ? `<${m.payload.length} bytes>` : m.text}`).join('\n');
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
