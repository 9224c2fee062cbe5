// The multi-host test rig: simulated Docker hosts in network namespaces for end-to-end tests.
export { startHosts, stopAll, stopAllSync, type Host, type StartHostsOptions } from './hosts.ts';
export { TEST_IMAGE, BASE_IMAGE, testImageTarball, loadTestImage } from './images.ts';
export { sweepStaleRuns } from './runs.ts';
