// The part of kinesalite 3.3.3 (CommonJS, untyped) that the Kinesis emulator uses.
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Milliseconds a new stream stays CREATING (default 500). */
    createStreamMs?: number;
    /** Milliseconds a deleted stream stays DELETING (default 500). */
    deleteStreamMs?: number;
    /** Milliseconds a stream stays UPDATING after a change (default 500). */
    updateStreamMs?: number;
  }

  /** An HTTP/1.1 server holding its streams in memory; not yet listening. */
  function kinesalite(options?: KinesaliteOptions): Server;

  export = kinesalite;
}
