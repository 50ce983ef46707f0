// Runs s3rver on 127.0.0.1 in its own process and prints `{"port":N}` on stdout once it listens.
// Used by the s3rver tests (packages/s3-source, packages/cli) and by benchmarks/s3-import.mjs.
//
//   node --openssl-legacy-provider s3rver-server.mjs DIRECTORY
//
// Why a separate process started with --openssl-legacy-provider: s3rver 3.7 encrypts its ListObjectsV2
// continuation tokens with DES, which OpenSSL 3 (Node >= 17) only offers through its legacy provider.
// Without it, every truncated listing fails, so paging could not be tested against the server. Its own
// process also keeps the server's CPU time out of the measured client in the benchmark.
import S3rver from 's3rver'

const directory = process.argv[2]
if (!directory) {
  process.stderr.write('usage: node --openssl-legacy-provider s3rver-server.mjs DIRECTORY\n')
  process.exit(64)
}
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true })
const address = await server.run()
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`)

const stop = async () => {
  await server.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
// The parent going away (a crashed test run) closes stdin: do not outlive it.
process.stdin.resume()
process.stdin.once('end', stop)
