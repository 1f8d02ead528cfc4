/** Every long-lived part of the daemon. stop() must end every child process and timer start() made. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
