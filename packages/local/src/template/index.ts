// The template reader: a SAM or CloudFormation template in, the architecture the local
// runtime runs out, with every reference kept symbolic until the emulators give resources
// their physical names.
export { TemplateError } from './errors.js';
export { readTemplate } from './read-template.js';
export type { ReadTemplateOptions } from './read-template.js';
export { physicalResources, resolveEnvironment, resolveValue } from './resolve.js';
export type { LocalEndpoints } from './resolve.js';
