/** Version of the wire contract; bumped on any breaking change to a schema in this package. */
export const PROTOCOL_VERSION = 1;

/** Capstan release version, shared by every package of one build. */
export const CAPSTAN_VERSION = '0.1.0';
