// Tunnel frames and stream multiplexing between agent and server (Edge Agent issue): pure codecs and
// state machines; the server and agent drive them with their own WebSocket.
export * from './limits.ts';
export * from './errors.ts';
export * from './stream-kinds.ts';
export * from './app-frames.ts';
export * from './control.ts';
export * from './codec.ts';
export * from './mux-stream.ts';
export * from './mux.ts';
