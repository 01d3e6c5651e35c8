/*
 * The AWS accounts that host SageMaker's built-in images in each region: public facts, as listed in
 * the SageMaker developer guide ("Docker Registry Paths and Example Code"). One table per image
 * family, shared by the pipeline steps and the endpoint monitors.
 */

/**
 * The framework registries of XGBoost 1.x (`sagemaker-xgboost`) and scikit-learn
 * (`sagemaker-scikit-learn`), which share them.
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
 * region, as published in the SageMaker developer guide ("Docker registry paths").
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
 * used by the bias and explainability monitors, by region.
 */
export const CLARIFY_REGISTRIES: { [region: string]: string } = {
  'af-south-1': '811711786498',
  'ap-east-1': '098760798382',
  'ap-northeast-1': '377024640650',
  'ap-northeast-2': '263625296855',
  'ap-northeast-3': '364406365360',
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
  'us-west-1': '740489534195',
  'us-west-2': '306415355426',
};
