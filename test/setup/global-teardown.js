/* Jest global tear-down: remove the run's scratch folder (see global-setup.js). */
const fs = require('fs');

module.exports = async () => {
  const root = process.env.MLOPS_JEST_TMP_ROOT;
  if (root) {
    fs.rmSync(root, { recursive: true, force: true });
  }
};
