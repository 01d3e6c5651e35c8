/**
 * A value described in words in an error message (`received a DataQualityMonitorOptions`), for a
 * prop whose value is a struct or an object: its JSON would be long or empty, and a placeholder
 * word such as "set" says nothing about what was received.
 *
 * The error formatter (lib/private/errors.ts `describeValue`) renders objects with
 * `JSON.stringify`, and falls back to `String(value)` when that gives nothing: `toJSON` returns
 * undefined so the words are used as they are.
 */
export class Described {
  /**
   * @param what the kind of value ("a DataQualityMonitorOptions")
   * @param value the value received: its fields, when it is a struct, are listed after the kind
   */
  constructor(private readonly what: string, private readonly value?: unknown) {}

  public toJSON(): undefined {
    return undefined;
  }

  public toString(): string {
    const v = this.value;
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) { return this.what; }
    const fields = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    return fields.length === 0 ? `${this.what} with no field set` : `${this.what} with ${fields.map((f) => `\`${f}\``).join(', ')}`;
  }
}
