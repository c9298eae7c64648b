import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { ENVIRONMENT_PRESETS, EnvironmentName, PropsValidator } from '../catalog';
import { validateEcrRepositoryName, validateMinLength, validateUnique, validateEnvironment, validateTags } from './aws-names';
import { EncryptionKey } from './encryption-key';
import { checkConstructProps } from '../catalog/props-check';
import { IEncryptionKey } from './encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from './encryption-key-props';

export interface ImageRegistryProps {
  readonly environment: EnvironmentName;
  /** Repository names (`model-servers/triton`, `resnet`), one repository each. */
  readonly repositoryNames: readonly string[];
  /**
   * Tagged images kept per repository; older ones expire.
   * @default 50
   */
  readonly keepTaggedImages?: number;
  /**
   * Days an untagged image (a layer set left behind by a re-push) is kept.
   * @default 7
   */
  readonly untaggedImageExpiryDays?: number;
  /**
   * Allow pushing a tag that already exists. Off, a tag always means the same image, which is
   * what a pinned model-server deployment relies on. Refused where the preset requires pinned images.
   * @default false
   */
  readonly mutableTags?: boolean;
  /**
   * Let `terraform destroy` delete repositories that still hold images. Refused where the
   * environment preset protects data.
   * @default false
   */
  readonly forceDelete?: boolean;
  /**
   * Customer KMS key for the images (`EncryptionKey.fromKeyArn` for a key that exists).
   * @default - a new key with rotation on, shared by the repositories
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for the images.
   * @default - a new key with rotation on, shared by the repositories
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Private ECR repositories for model-server images: immutable tags, a vulnerability scan on every
 * push, KMS encryption with a customer key, and a lifecycle policy that expires untagged images
 * and all but the newest tagged ones. No repository policy: only IAM principals of the account
 * that are granted ECR actions can pull or push.
 */
export class ImageRegistry extends Construct {
  /** Repository name → `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  public readonly repositoryUrls: Readonly<Record<string, string>>;
  /** Repository name → ARN, for IAM policies. */
  public readonly repositoryArns: Readonly<Record<string, string>>;
  public readonly repositories: Readonly<Record<string, EcrRepository>>;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    checkConstructProps(ImageRegistry, scope, id, props);
    super(scope, id);
    const preset = ENVIRONMENT_PRESETS[props.environment];
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    validateTags(v, 'tags', props.tags);
    validateMinLength(v, 'repositoryNames', props.repositoryNames, 1, 'name at least one repository');
    props.repositoryNames.forEach((name, i) => validateEcrRepositoryName(v, `repositoryNames[${i}]`, name));
    validateUnique(v, 'repositoryNames', props.repositoryNames);
    validateStoreKey(v, props);
    const keepTagged = props.keepTaggedImages ?? 50;
    v.integerInRange('keepTaggedImages', keepTagged, 1, 10000);
    const untaggedDays = props.untaggedImageExpiryDays ?? 7;
    v.integerInRange('untaggedImageExpiryDays', untaggedDays, 1, 3650);
    const mutableTags = props.mutableTags ?? false;
    v.that(
      !(mutableTags && preset.serving.requirePinnedImages),
      'mutableTags',
      mutableTags,
      `would let a tag point at a different image, but ${props.environment} deploys pinned images`,
      'leave tags immutable and push a new tag for each build',
    );
    const forceDelete = props.forceDelete ?? false;
    v.that(!(forceDelete && preset.protectData), 'forceDelete', forceDelete, `would let terraform destroy delete every image in ${props.environment}`, 'leave forceDelete off');

    const tags = props.tags ? { ...props.tags } : undefined;
    this.kmsKeyArn =
      givenKeyArn(props) ??
      new EncryptionKey(this, 'key', {
        description: `ECR repositories of ${this.node.path}`,
        alias: `modelserve/ecr/${this.node.path.replace(/[^a-zA-Z0-9/_-]/g, '-')}`,
        tags,
      }).keyArn;

    // Rule order matters: ECR evaluates the lowest priority first, and each image is counted once.
    const lifecyclePolicy = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: `Expire untagged images after ${untaggedDays} days`,
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: `Keep the newest ${keepTagged} tagged images`,
          selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: keepTagged },
          action: { type: 'expire' },
        },
      ],
    });

    const urls: Record<string, string> = {};
    const arns: Record<string, string> = {};
    const repositories: Record<string, EcrRepository> = {};
    for (const name of props.repositoryNames) {
      // The construct id is the name: removing one repository from the list must not shift the others.
      const repository = new EcrRepository(this, name.replace(/\//g, '--'), {
        name,
        imageTagMutability: mutableTags ? 'MUTABLE' : 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.kmsKeyArn }],
        forceDelete,
        tags,
      });
      new EcrLifecyclePolicy(this, `${name.replace(/\//g, '--')}-lifecycle`, { repository: repository.name, policy: lifecyclePolicy });
      urls[name] = repository.repositoryUrl;
      arns[name] = repository.arn;
      repositories[name] = repository;
    }
    this.repositoryUrls = urls;
    this.repositoryArns = arns;
    this.repositories = repositories;
  }
}
