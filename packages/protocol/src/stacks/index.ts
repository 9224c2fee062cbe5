export * from './commands.ts';
export * from './image-ref.ts';
export * from './labels.ts';
export * from './planner.ts';
export * from './project-state.ts';
export * from './service-config.ts';
export * from './sha256.ts';
export * from './steps.ts';
