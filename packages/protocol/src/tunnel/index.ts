// Tunnel frames and stream multiplexing between agent and server (Edge Agent issue).
export {};
