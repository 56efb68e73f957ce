// Drives one Pulumi operation on a tiny dynamic resource through the Automation API and the real CLI.
// Usage: node driver.cjs <workDir> <stack> up <value> | destroy
// Runs in a plain Node process (not the test runner) because closure serialization needs an ordinary
// module system; prints one JSON line with the outcome.
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const pulumi = require("@pulumi/pulumi");

const [workDir, stackName, action, value] = process.argv.slice(2);

const provider = {
  async create(inputs) {
    return { id: "smoke", outs: { ...inputs, firstValue: inputs.value, providerPid: process.pid } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.value !== news.value };
  },
  async update(_id, olds, news) {
    return { outs: { ...news, firstValue: olds.firstValue, providerPid: process.pid } };
  },
  async delete() {},
};

class Smoke extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(provider, name, { ...args, firstValue: undefined, providerPid: undefined }, {});
  }
}

async function main() {
  const pulumiCommand = await PulumiCommand.get({ root: process.env.SMOKE_PULUMI_ROOT });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: "smoke", program: async () => ({ value: new Smoke("thing", { value }).value }) },
    { workDir, pulumiCommand },
  );
  const result = action === "up" ? await stack.up() : await stack.destroy();
  const state = await stack.exportStack();
  process.stdout.write(`${JSON.stringify({ summary: result.summary.resourceChanges, state, driverPid: process.pid })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
