import type { ProviderProfile } from '../profile';
import { atlassian } from './atlassian';
import { legacyForm, strictRfc } from './generic';
import { github, githubOAuthApp } from './github';
import { google } from './google';
import { hubspot } from './hubspot';
import { microsoft } from './microsoft';
import { salesforce } from './salesforce';
import { slack } from './slack';

/** Every profile: one per provider template (two for GitHub's two kinds of app), then the generic ones. */
export const PROFILES: readonly ProviderProfile[] = [microsoft, google, slack, github, githubOAuthApp, salesforce, hubspot, atlassian, strictRfc, legacyForm];
