/**
 * How a feature group uses the schema lock file, the committed record of each group's schema
 * that makes replacement-causing changes visible at synth time.
 */
export enum SchemaLockMode {
  /**
   * Read the lock, refuse changes that would replace a group, and write new groups and allowed
   * changes (added features, an opted-in replacement) back to the file. For a developer's machine.
   */
  UPDATE = 'update',

  /**
   * Read the lock and refuse changes that would replace a group, but never write the file: a
   * group missing from the lock, or an allowed change it does not record yet, is reported as a
   * warning (`cdk synth --strict` turns it into an error). For CI, which only synthesizes and
   * whose checkout is thrown away.
   */
  VERIFY = 'verify',

  /**
   * No lock: nothing is read, written or compared, so nothing protects the groups' data from a
   * replacement. A warning says so on every synth. For throw-away experiments only.
   */
  DISABLED = 'disabled',
}

/**
 * Where the schema lock file is and how it is used.
 *
 * The lock (by default `feature-store.lock.json` in the directory the CDK app runs in, the one
 * with `cdk.json`) records, per feature group (keyed by construct path), the features, the record
 * identifier, the event time and every property CloudFormation cannot change without replacing
 * the group. Commit it beside the app.
 */
export interface SchemaLockOptions {
  /**
   * Path of the lock file, absolute or relative to the directory the app runs in.
   *
   * @default - the context value `cdk-sagemaker-mlops:featureStoreLockFile`, else
   *   `feature-store.lock.json` in the current working directory
   */
  readonly file?: string;

  /**
   * How the lock is used.
   *
   * @default - the context value `cdk-sagemaker-mlops:featureStoreLockMode` (`update`, `verify` or
   *   `disabled`), else `SchemaLockMode.VERIFY` when the environment variable `CI` is set to a true
   *   value (as CI services do), else `SchemaLockMode.UPDATE`
   */
  readonly mode?: SchemaLockMode;
}

/**
 * The context keys that configure the schema lock for a whole app (`cdk.json` or `-c key=value`).
 */
export class SchemaLockContext {
  /** Context key of the lock file path. */
  public static readonly FILE = 'cdk-sagemaker-mlops:featureStoreLockFile';

  /** Context key of the lock mode (`update`, `verify` or `disabled`). */
  public static readonly MODE = 'cdk-sagemaker-mlops:featureStoreLockMode';

  private constructor() {}
}
