// A CommonJS consumer: require('good-redis') through Node's require(esm) (Node 20.19+, 22.12+).
const { PrioritizedStream, createConnection, closeConnection } = require('good-redis');

async function main() {
  const redis = createConnection(); // REDIS_URL from the environment
  try {
    const stream = new PrioritizedStream(redis, `pack-check-cjs-${String(Date.now())}`, { cooldownMs: 0 });
    await stream.add('k', 'from CommonJS', 2);
    const [item] = await stream.pull();
    await stream.delete();
    if (item === undefined || item.value !== 'from CommonJS') throw new Error(`pulled ${JSON.stringify(item)}`);
  } finally {
    await closeConnection(redis);
  }
  console.log("pack-check: require('good-redis') works from CommonJS");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
