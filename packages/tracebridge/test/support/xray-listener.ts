import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { decodeExportTraceServiceRequest, type OtlpSpan } from '@tracebridge/local/collector';

export const DATAGRAM_HEADER = '{"format":"json","version":1}\n';
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface XRayDatagram {
  readonly bytes: number;
  readonly header: string;
  /** T1S (sampled) or T1U (unsampled). */
  readonly prefix: string;
  readonly spans: readonly OtlpSpan[];
}

/** A UDP listener on 127.0.0.1 that decodes what the X-Ray daemon would receive. */
export interface XRayListener {
  readonly address: string;
  readonly datagrams: XRayDatagram[];
  close(): Promise<void>;
}

function decodeDatagram(message: Buffer): XRayDatagram {
  const text = message.toString('utf8');
  const newline = text.indexOf('\n');
  const payload = text.slice(newline + 1);
  const request = decodeExportTraceServiceRequest(Buffer.from(payload.slice(3), 'base64'));
  return {
    bytes: message.length,
    header: text.slice(0, newline + 1),
    prefix: payload.slice(0, 3),
    spans: request.resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  };
}

export async function startXRayListener(): Promise<XRayListener> {
  const socket = createSocket('udp4');
  const datagrams: XRayDatagram[] = [];
  socket.on('message', (message) => datagrams.push(decodeDatagram(message)));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  // Room for a burst of 64 KiB datagrams (the kernel caps it at net.core.rmem_max).
  socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
  return {
    address: `127.0.0.1:${socket.address().port}`,
    datagrams,
    close: async () => {
      socket.close();
      await once(socket, 'close');
    },
  };
}
