import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelServer, ModelService, ModelServiceProps } from '../../lib/k8s';
import { DEFAULT_MODEL_LOADER_IMAGE, MIN_POD_IDENTITY_AWS_CLI, modelLoaderScript } from '../../lib/k8s/model-loader';
import { DEFAULT_SERVER_IMAGES, MODEL_DIR } from '../../lib/k8s/model-server';
import { restrictedViolations } from '../support/pod-security';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, one, synth } from '../support/serving';

function pod(props: ModelServiceProps): any {
  const c = chart();
  new ModelService(c, 'svc', props);
  return one(synth(c), 'Deployment', 'svc').spec.template;
}

const envOf = (container: { env: { name: string; value?: string }[] }) => Object.fromEntries(container.env.map((e) => [e.name, e.value]));

describe('model loading under EKS Pod Identity', () => {
  // EKS Pod Identity needs these SDK versions or later; older ones never ask the Pod Identity
  // agent and fall back to instance metadata, which pods cannot reach (hop limit 1, network
  // policy): https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html
  // Triton builds aws-sdk-cpp 1.11.60 (triton-inference-server/third_party CMakeLists.txt,
  // GIT_TAG "1.11.60"), below the C++ SDK's 1.11.263: its own S3 loader cannot use Pod Identity.
  test.each([
    ['triton', ModelServer.triton(), ['--model-repository=$(MODEL_DIR)']],
    ['torchserve', ModelServer.torchServe(), ['--model-store=$(MODEL_DIR)', '--models', 'model=model.mar']],
    ['tensorflow-serving', ModelServer.tensorflowServing({ modelName: 'resnet' }), ['--model_base_path=$(MODEL_DIR)']],
    ['vllm', ModelServer.vllm(), ['$(MODEL_DIR)', '--served-model-name=$(MODEL_ID)']],
  ])('%s reads the loader\'s local copy in /models/model, never S3', (_name, server, expected) => {
    const template = pod({ ...CPU_SERVICE, server, image: undefined });
    const [container] = template.spec.containers;
    for (const arg of expected) expect(container.args).toContain(arg);
    expect(JSON.stringify(container.args)).not.toMatch(/s3:\/\/|MODEL_URI/);
    expect(envOf(container).MODEL_DIR).toBe(MODEL_DIR);
    expect(container.volumeMounts).toContainEqual({ mountPath: '/models', name: 'model-cache' });
    // The loader fills the same volume before the server starts.
    const [loader] = template.spec.initContainers;
    expect(loader.name).toBe('model-loader');
    expect(loader.volumeMounts).toContainEqual({ mountPath: '/models', name: 'model-cache' });
    expect(envOf(loader)).toMatchObject({ MODEL_URI: 's3://models-bucket/ner/1.0.0/', MODEL_DIR: '/models/model' });
  });

  test('only the loader receives the pod\'s AWS credentials; the server never tries instance metadata', () => {
    const template = pod(GPU_SERVICE);
    const annotations = template.metadata.annotations;
    // The Pod Identity webhook skips the containers named here (amazon-eks-pod-identity-webhook, skip-containers).
    expect(annotations['eks.amazonaws.com/skip-containers']).toBe('model-server');
    // Credentials come from the agent directly, outside the proxy's capture.
    expect(annotations['traffic.sidecar.istio.io/excludeOutboundIPRanges']).toBe('169.254.170.23/32');
    const [loader] = template.spec.initContainers;
    const [server] = template.spec.containers;
    expect(envOf(loader)).toMatchObject({ AWS_EC2_METADATA_DISABLED: 'true', HOME: '/tmp' });
    expect(envOf(server).AWS_EC2_METADATA_DISABLED).toBe('true');
    for (const c of [loader, server]) expect(Object.keys(envOf(c)).filter((k) => /AWS_(ACCESS|SECRET|SESSION)/.test(k))).toEqual([]);
  });

  test('a custom server that calls AWS itself can keep the credentials, when asked by name', () => {
    const template = pod({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/ready', awsCredentials: true }) });
    expect(template.metadata.annotations['eks.amazonaws.com/skip-containers']).toBeUndefined();
    expect(pod({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/ready' }) }).metadata.annotations['eks.amazonaws.com/skip-containers']).toBe('model-server');
  });

  test('the default loader image is an AWS CLI v2 that reads Pod Identity (2.15.0 or later)', () => {
    const [major, minor, patch] = DEFAULT_MODEL_LOADER_IMAGE.split(':').pop()!.split('.').map(Number);
    const [minMajor, minMinor] = MIN_POD_IDENTITY_AWS_CLI;
    expect(major).toBe(2);
    expect(minor > minMinor || (minor === minMinor && patch >= MIN_POD_IDENTITY_AWS_CLI[2])).toBe(true);
    expect(minMajor).toBe(2);
    expect(pod(CPU_SERVICE).spec.initContainers[0].image).toBe(DEFAULT_MODEL_LOADER_IMAGE);
  });

  test('an AWS CLI older than 2.15.0 is refused as the loader', () => {
    expectServiceRejected(
      { ...CPU_SERVICE, modelLoader: { image: 'amazon/aws-cli:2.13.5' } },
      'serving/svc: modelLoader.image ("amazon/aws-cli:2.13.5") is AWS CLI 2.13.5, older than 2.15.0, which cannot read EKS Pod Identity credentials (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html); use public.ecr.aws/aws-cli/aws-cli:2.36.7 or a later AWS CLI v2',
    );
  });

  test('the loader meets Pod Security "restricted" with a read-only root filesystem and Guaranteed-shaped resources', () => {
    const template = pod(GPU_SERVICE);
    expect(restrictedViolations(template.spec)).toEqual([]);
    const [loader] = template.spec.initContainers;
    expect(loader.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(loader.resources.requests).toEqual(loader.resources.limits);
  });

  test('Triton copies nothing into /tmp: its repository is already local, on the cache volume sized by storageGiB', () => {
    // Triton localizes a remote repository into /tmp unless TRITON_AWS_MOUNT_DIRECTORY says
    // otherwise (server docs/user_guide/model_repository.md); a local one it reads in place.
    const template = pod({ ...GPU_SERVICE, resources: { ...GPU_SERVICE.resources, storageGiB: 60 } });
    const volumes = Object.fromEntries(template.spec.volumes.map((v: { name: string; emptyDir?: { sizeLimit: string } }) => [v.name, v.emptyDir?.sizeLimit]));
    expect(volumes['model-cache']).toBe('61440Mi');
    expect(volumes.tmp).toBe('1024Mi');
    expect(template.spec.containers[0].args).toContain('--model-repository=$(MODEL_DIR)');
  });

  test('TorchServe keeps its temp files, sockets and unpacked archive on the cache volume and logs to stdout', () => {
    const template = pod({ ...CPU_SERVICE, server: ModelServer.torchServe(), image: undefined });
    const [container] = template.spec.containers;
    expect(container.command).toEqual(['torchserve']);
    expect(envOf(container)).toMatchObject({ TEMP: '/models/scratch', LOG_LOCATION: '/tmp/logs' });
    expect(container.args).toEqual(expect.arrayContaining(['--ts-config=/etc/model-server/config.properties', '--log-config=/etc/model-server/log4j2.xml']));
  });

  test('presets default to current images; a custom server must name its own', () => {
    expect(pod({ ...CPU_SERVICE, image: undefined }).spec.containers[0].image).toBe(DEFAULT_SERVER_IMAGES.triton);
    expect(pod({ ...CPU_SERVICE, image: undefined, server: ModelServer.vllm() }).spec.containers[0].image).toBe('vllm/vllm-openai:v0.28.0');
    expectServiceRejected(
      { ...CPU_SERVICE, image: undefined, server: ModelServer.custom({ port: 8080, healthPath: '/ready' }) },
      'serving/svc: image (not set) is required for a custom server, which has no default image; give the image of your server with a pinned tag, e.g. "registry.example.com/ocr-server:4.1.0"',
    );
  });

  test('vLLM gets no flag that current releases refuse (--disable-log-requests was removed in 0.12)', () => {
    const [container] = pod({ ...CPU_SERVICE, server: ModelServer.vllm(), image: undefined }).spec.containers;
    expect(container.args).not.toContain('--disable-log-requests');
    expect(container.args).not.toContain('--download-dir=$(MODEL_CACHE_DIR)');
  });
});

describe('the loader script, run by sh with a stand-in aws', () => {
  // A fake `aws` that copies a local folder where `aws s3 sync s3://... <dir>` would copy the prefix.
  function run(script: string, source: string | undefined): { status: number | null; stderr: string; dir: string } {
    const root = mkdtempSync(join(tmpdir(), 'loader-'));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'aws'), `#!/bin/sh\n[ "$1 $2" = "s3 sync" ] || exit 2\nfor last; do :; done\n${source ? `cp -R "${source}/." "$last"` : 'true'}\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const dir = join(root, 'models', 'model');
    const result = spawnSync('sh', ['-c', script], {
      env: { PATH: `${bin}:${process.env.PATH}`, MODEL_URI: 's3://models-bucket/ner/1.0.0/', MODEL_DIR: dir, MODEL_SCRATCH_DIR: join(root, 'models', 'scratch') },
      encoding: 'utf8',
    });
    return { status: result.status, stderr: result.stderr, dir };
  }

  test('the prefix lands in MODEL_DIR, and the scratch folder exists', () => {
    const source = mkdtempSync(join(tmpdir(), 'prefix-'));
    mkdirSync(join(source, 'bert_ner', '1'), { recursive: true });
    writeFileSync(join(source, 'bert_ner', 'config.pbtxt'), 'name: "bert_ner"\n');
    const { status, dir } = run(modelLoaderScript(false), source);
    expect(status).toBe(0);
    expect(readdirSync(dir)).toEqual(['bert_ner']);
    expect(execFileSync('ls', [join(dir, '..')], { encoding: 'utf8' }).split('\n')).toEqual(expect.arrayContaining(['model', 'scratch']));
  });

  test('an empty prefix fails the pod with the prefix in the log, unless allowEmpty', () => {
    const failed = run(modelLoaderScript(false), undefined);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('No objects under s3://models-bucket/ner/1.0.0/');
    expect(run(modelLoaderScript(true), undefined).status).toBe(0);
  });
});
