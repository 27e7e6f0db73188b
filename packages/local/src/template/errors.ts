/**
 * Thrown when a template cannot be run: the file is missing or is not valid YAML or JSON, a
 * reference points at a resource that does not exist, or a property holds a value AWS would
 * reject. The message names the file, the resource and the property, and says what to
 * change; `cause` holds the underlying error when there is one (a file system or parser
 * error).
 *
 * @example
 * ```ts
 * try {
 *   await readTemplate('template.yaml');
 * } catch (error) {
 *   if (error instanceof TemplateError) console.error(error.message);
 *   throw error;
 * }
 * ```
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}
