/*
 * The AWS accounts that host SageMaker's built-in images in each region, and the versions of each
 * image: public facts, one table per image family, shared by the pipeline steps and the endpoint
 * monitors.
 *
 * Source: the SageMaker Python SDK's image URI config (`image_uri_config/*.json`), checked entry by
 * entry against these files of aws/sagemaker-python-sdk (no SDK release number could be tied to
 * the commits):
 * - xgboost: @ 2ef567ca3e8049fb05ff7d140b291be980c00067 sagemaker-core/src/sagemaker/core/image_uri_config/xgboost.json
 * - sklearn: @ 26a9d211ab775a3c08bc75c2d5174e5e7b37762b sagemaker-core/src/sagemaker/core/image_uri_config/sklearn.json
 * - model-monitor: @ 5d36aec0687525b2dc802a598658bb2ef52c2590 src/sagemaker/image_uri_config/model-monitor.json
 * - clarify: @ 5dd8b85d99a663b10c199a4d101b00c76902ee0f src/sagemaker/image_uri_config/clarify.json
 *
 * Left out on purpose: the ISO partitions (us-iso-east-1, us-isob-east-1, us-isof-east-1,
 * us-isof-south-1), whose ECR domains this library does not resolve for a literal region.
 */

/**
 * The framework registries of XGBoost (`sagemaker-xgboost`) and scikit-learn
 * (`sagemaker-scikit-learn`), which share them: the SDK gives every framework version of both the
 * same map. (The legacy XGBoost algorithm, version `1` in the SDK, lives in a repository `xgboost`
 * of other accounts and is not offered here.)
 */
export const XGBOOST_REGISTRIES: { [region: string]: string } = {
    'af-south-1': '510948584623',
    'ap-east-1': '651117190479',
    'ap-northeast-1': '354813040037',
    'ap-northeast-2': '366743142698',
    'ap-northeast-3': '867004704886',
    'ap-south-1': '720646828776',
    'ap-south-2': '628508329040',
    'ap-southeast-1': '121021644041',
    'ap-southeast-2': '783357654285',
    'ap-southeast-3': '951798379941',
    'ap-southeast-4': '106583098589',
    'ca-central-1': '341280168497',
    'ca-west-1': '190319476487',
    'cn-north-1': '450853457545',
    'cn-northwest-1': '451049120500',
    'eu-central-1': '492215442770',
    'eu-central-2': '680994064768',
    'eu-north-1': '662702820516',
    'eu-south-1': '978288397137',
    'eu-south-2': '104374241257',
    'eu-west-1': '141502667606',
    'eu-west-2': '764974769150',
    'eu-west-3': '659782779980',
    'il-central-1': '898809789911',
    'me-central-1': '272398656194',
    'me-south-1': '801668240914',
    'sa-east-1': '737474898029',
    'us-east-1': '683313688378',
    'us-east-2': '257758044811',
    'us-gov-east-1': '237065988967',
    'us-gov-west-1': '414596584902',
    'us-west-1': '746614075791',
    'us-west-2': '246618743249',
};

/**
 * The registries of the Model Monitor analyzer image (`sagemaker-model-monitor-analyzer`), by
 * region: identical to the SDK's model-monitor.json named above.
 *
 * Not listed, because only a third-party copy of a newer SDK file (citing
 * aws/sagemaker-python-sdk @ 7e7b6f18c26a460be2faec8a66953e6f710cef84) has them, unconfirmed
 * against the SDK repository: ap-northeast-3 (990339680094), ap-southeast-3 (669540362728),
 * eu-central-2 (590183933784), eu-south-2 (437450045455), il-central-1 (843974653677),
 * me-central-1 (588750061953). Use `ContainerImage.fromImageUri()` (or the monitors'
 * `analyzerImageUri`) with the image URI of such a region.
 */
export const MODEL_MONITOR_ANALYZER_REGISTRIES: { [region: string]: string } = {
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};

/**
 * The registries of the SageMaker Clarify processing image (`sagemaker-clarify-processing:1.0`),
 * used by the bias and explainability monitors and the Clarify check step, by region: the SDK's
 * clarify.json named above. (ap-northeast-3 was once listed with 364406365360, the PyTorch
 * account; the SDK gives 912233562940.) Not listed, known only from the unconfirmed newer copy:
 * ap-southeast-3 (705930551576), eu-central-2 (730335477804).
 */
export const CLARIFY_REGISTRIES: { [region: string]: string } = {
  'af-south-1': '811711786498',
  'ap-east-1': '098760798382',
  'ap-northeast-1': '377024640650',
  'ap-northeast-2': '263625296855',
  'ap-northeast-3': '912233562940',
  'ap-south-1': '452307495513',
  'ap-southeast-1': '834264404009',
  'ap-southeast-2': '007051062584',
  'ca-central-1': '675030665977',
  'cn-north-1': '122526803553',
  'cn-northwest-1': '122578899357',
  'eu-central-1': '017069133835',
  'eu-north-1': '763603941244',
  'eu-south-1': '638885417683',
  'eu-west-1': '131013547314',
  'eu-west-2': '440796970383',
  'eu-west-3': '341593696636',
  'me-south-1': '835444307964',
  'sa-east-1': '520018980103',
  'us-east-1': '205585389593',
  'us-east-2': '211330385671',
  'us-gov-west-1': '598674086554',
  'us-west-1': '740489534195',
  'us-west-2': '306415355426',
};

/**
 * The framework versions of the XGBoost image the SDK lists (training and inference alike; the
 * legacy algorithm version `1` is another image).
 */
export const XGBOOST_VERSIONS: readonly string[] = ['0.90-1', '0.90-2', '1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1', '3.0-5', '3.2-0'];

/**
 * The framework versions of the scikit-learn image the SDK lists (training has all; inference has
 * no plain `1.4-2`, only `1.4-2-py312`).
 */
export const SCIKIT_LEARN_VERSIONS: readonly string[] = ['0.20.0', '0.23-1', '1.0-1', '1.2-1', '1.4-2', '1.4-2-py312'];

/** The versions of the Clarify processing image the SDK lists. */
export const CLARIFY_VERSIONS: readonly string[] = ['1.0'];
