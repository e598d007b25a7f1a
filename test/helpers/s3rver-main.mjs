// A real S3-protocol server (s3rver) in its own process, for the blob-store tests: started on a
// free port over a directory, with the named buckets; prints {"port": N} once it listens.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
