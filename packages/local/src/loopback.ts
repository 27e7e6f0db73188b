/**
 * The interface everything of the local runtime listens on by default (emulators, collector,
 * X-Ray port, control port): traffic never leaves this machine unless a caller asks for another.
 */
export const LOOPBACK_HOST = '127.0.0.1';
