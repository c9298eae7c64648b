import { Chart, Testing } from 'cdk8s';
import { servingApp } from '../../examples/serving/main';
import { K8sObject } from './serving';

/** The example app's language models (examples/serving/llm.ts), synthesized as `cdk8s synth` does. */
export function examplesLlmChart(): K8sObject[] {
  const app = servingApp(Testing.app());
  const chart = app.node.children.find((c): c is Chart => c instanceof Chart && c.node.id === 'serving-llm');
  if (!chart) throw new Error('the example app has no serving-llm chart');
  return Testing.synth(chart) as K8sObject[];
}
