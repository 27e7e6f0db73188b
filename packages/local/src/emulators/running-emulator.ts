/** An emulator listening on 127.0.0.1. */
export interface RunningEmulator {
  /** Base URL for the SDK's `endpoint` option or `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly endpoint: string;
  /** Stops the emulator and frees its ports; later calls return the same promise. */
  close(): Promise<void>;
}
