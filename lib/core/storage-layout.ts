import { Token } from 'aws-cdk-lib';
import { check } from '../private/errors';

/**
 * Props of a {@link StorageLayout}: the top-level key prefix of each kind of object in the
 * artifact bucket. Each is a plain S3 key prefix without a leading or trailing slash.
 */
export interface StorageLayoutProps {
  /**
   * Outputs of SageMaker pipeline runs: `<pipelines>/<pipeline name>/<execution id>/<step>/...`.
   *
   * @default "pipelines"
   */
  readonly pipelines?: string;

  /**
   * Pipeline definitions too large for the template: `<definitions>/<pipeline name>/...`.
   *
   * @default "pipeline-definitions"
   */
  readonly definitions?: string;

  /**
   * Evaluation reports (the model-quality metrics a registered version points at), per model
   * package group: `<evaluationReports>/<group name>/<execution id>/evaluation.json`. The approval
   * handler of the group may read this prefix only.
   *
   * @default "evaluation-reports"
   */
  readonly evaluationReports?: string;

  /**
   * Model artifacts (`model.tar.gz`), per model package group: `<models>/<group name>/...`. The
   * execution role of an endpoint serving the group may read this prefix only.
   *
   * @default "models"
   */
  readonly models?: string;

  /**
   * Drift-check baselines (statistics, constraints, Clarify configurations), per model package
   * group: `<baselines>/<group name>/...`. Monitoring roles of endpoints serving the group may
   * read this prefix only.
   *
   * @default "baselines"
   */
  readonly baselines?: string;

  /**
   * Requests and responses captured by endpoints: `<dataCapture>/<endpoint name>/...`.
   *
   * @default "data-capture"
   */
  readonly dataCapture?: string;

  /**
   * Model Monitor reports: `<monitoringReports>/<endpoint name>/<monitor kind>/...`.
   *
   * @default "monitoring"
   */
  readonly monitoringReports?: string;

  /**
   * Ground truth labels for the model quality and bias monitors: `<groundTruth>/<endpoint name>/...`.
   *
   * @default "ground-truth"
   */
  readonly groundTruth?: string;

  /**
   * Results and failures of asynchronous endpoints: `<asyncInference>/<endpoint name>/{output,failure}`.
   *
   * @default "async-inference"
   */
  readonly asyncInference?: string;

  /**
   * Release manifests of deploy pipelines, write-once: `<releases>/<project>/...`.
   *
   * @default "releases"
   */
  readonly releases?: string;

  /**
   * Offline stores of feature groups: `<featureStore>/<group>/...`.
   *
   * @default "feature-store"
   */
  readonly featureStore?: string;

  /**
   * Artifact stores of MLflow experiment tracking: `<experiments>/<project>/...`.
   *
   * @default "experiments"
   */
  readonly experiments?: string;

  /**
   * The code and scripts of pipelines, uploaded by a build for each commit:
   * `<code>/<project>/<commit>/...`. Jobs of the project's pipeline may read this prefix.
   *
   * @default "code"
   */
  readonly code?: string;
}

/** SageMaker, S3 and IAM all accept these characters in a key prefix without escaping. */
const PREFIX_PATTERN = /^[A-Za-z0-9!_.()'-]+(\/[A-Za-z0-9!_.()'-]+)*$/;

/**
 * Where each kind of object goes in a project's artifact bucket.
 *
 * Every construct that writes to or reads from the bucket asks the layout for its prefix, so a
 * writer (the training pipeline's evaluation step) and its reader (the approval handler of the
 * model package group) agree on the place without a string typed twice, and each role is granted
 * exactly its prefix. The prefixes that belong to a model package group, a pipeline or an endpoint
 * are keyed by its name.
 */
export class StorageLayout {
  /** The default layout (the `@default` of every prop of {@link StorageLayoutProps}). */
  public static readonly DEFAULT = new StorageLayout({});

  /**
   * A layout with some prefixes changed.
   *
   * @param props the prefixes that differ from the defaults
   */
  public static of(props: StorageLayoutProps): StorageLayout {
    return new StorageLayout(props);
  }

  /** Top-level prefix of pipeline outputs. */
  public readonly pipelines: string;
  /** Top-level prefix of stored pipeline definitions. */
  public readonly definitions: string;
  /** Top-level prefix of evaluation reports. */
  public readonly evaluationReports: string;
  /** Top-level prefix of model artifacts. */
  public readonly models: string;
  /** Top-level prefix of drift-check baselines. */
  public readonly baselines: string;
  /** Top-level prefix of captured endpoint traffic. */
  public readonly dataCapture: string;
  /** Top-level prefix of Model Monitor reports. */
  public readonly monitoringReports: string;
  /** Top-level prefix of ground truth labels. */
  public readonly groundTruth: string;
  /** Top-level prefix of asynchronous inference results. */
  public readonly asyncInference: string;
  /** Top-level prefix of release manifests. */
  public readonly releases: string;
  /** Top-level prefix of feature store offline stores. */
  public readonly featureStore: string;
  /** Top-level prefix of MLflow artifact stores. */
  public readonly experiments: string;
  /** Top-level prefix of the code that builds upload. */
  public readonly code: string;

  private constructor(props: StorageLayoutProps) {
    const prefix = (name: keyof StorageLayoutProps, fallback: string): string => {
      const value = props[name] ?? fallback;
      if (!Token.isUnresolved(value)) {
        check(typeof value === 'string' && PREFIX_PATTERN.test(value) && value.length <= 256, 'StorageLayout', name, value,
          'It must be a plain S3 key prefix of at most 256 characters: letters, digits and !_.()\'- in parts separated by ' +
          'single slashes, with no leading or trailing slash and no wildcards');
      }
      return value;
    };
    this.pipelines = prefix('pipelines', 'pipelines');
    this.definitions = prefix('definitions', 'pipeline-definitions');
    this.evaluationReports = prefix('evaluationReports', 'evaluation-reports');
    this.models = prefix('models', 'models');
    this.baselines = prefix('baselines', 'baselines');
    this.dataCapture = prefix('dataCapture', 'data-capture');
    this.monitoringReports = prefix('monitoringReports', 'monitoring');
    this.groundTruth = prefix('groundTruth', 'ground-truth');
    this.asyncInference = prefix('asyncInference', 'async-inference');
    this.releases = prefix('releases', 'releases');
    this.featureStore = prefix('featureStore', 'feature-store');
    this.experiments = prefix('experiments', 'experiments');
    this.code = prefix('code', 'code');
  }

  /**
   * The outputs of one pipeline, `<pipelines>/<pipeline name>`.
   *
   * @param pipelineName the pipeline's name
   */
  public pipelinePrefix(pipelineName: string): string {
    return `${this.pipelines}/${pipelineName}`;
  }

  /**
   * The stored definitions of one pipeline, `<definitions>/<pipeline name>`.
   *
   * @param pipelineName the pipeline's name
   */
  public definitionPrefix(pipelineName: string): string {
    return `${this.definitions}/${pipelineName}`;
  }

  /**
   * The evaluation reports of one model package group, `<evaluationReports>/<group name>`.
   *
   * @param modelPackageGroupName the group's name
   */
  public evaluationReportPrefix(modelPackageGroupName: string): string {
    return `${this.evaluationReports}/${modelPackageGroupName}`;
  }

  /**
   * The model artifacts of one model package group, `<models>/<group name>`.
   *
   * @param modelPackageGroupName the group's name
   */
  public modelPrefix(modelPackageGroupName: string): string {
    return `${this.models}/${modelPackageGroupName}`;
  }

  /**
   * The drift-check baselines of one model package group, `<baselines>/<group name>`.
   *
   * @param modelPackageGroupName the group's name
   */
  public baselinePrefix(modelPackageGroupName: string): string {
    return `${this.baselines}/${modelPackageGroupName}`;
  }

  /**
   * The captured traffic of one endpoint, `<dataCapture>/<endpoint name>`.
   *
   * @param endpointName the endpoint's name
   */
  public dataCapturePrefix(endpointName: string): string {
    return `${this.dataCapture}/${endpointName}`;
  }

  /**
   * The Model Monitor reports of one endpoint, `<monitoringReports>/<endpoint name>`.
   *
   * @param endpointName the endpoint's name
   */
  public monitoringPrefix(endpointName: string): string {
    return `${this.monitoringReports}/${endpointName}`;
  }

  /**
   * The ground truth labels of one endpoint, `<groundTruth>/<endpoint name>`.
   *
   * @param endpointName the endpoint's name
   */
  public groundTruthPrefix(endpointName: string): string {
    return `${this.groundTruth}/${endpointName}`;
  }

  /**
   * The asynchronous results of one endpoint, `<asyncInference>/<endpoint name>`.
   *
   * @param endpointName the endpoint's name
   */
  public asyncInferencePrefix(endpointName: string): string {
    return `${this.asyncInference}/${endpointName}`;
  }

  /**
   * The release manifests of one deploy flow, `<releases>/<name>`.
   *
   * @param name the project (or deploy pipeline) name
   */
  public releasePrefix(name: string): string {
    return `${this.releases}/${name}`;
  }

  /**
   * The MLflow artifact store of one project, `<experiments>/<name>`.
   *
   * @param name the project (or tracking server) name
   */
  public experimentsPrefix(name: string): string {
    return `${this.experiments}/${name}`;
  }

  /**
   * The code a project's build uploads, `<code>/<name>` (each commit under `<code>/<name>/<commit>/`).
   *
   * @param name the project (or build pipeline) name
   */
  public codePrefix(name: string): string {
    return `${this.code}/${name}`;
  }
}
