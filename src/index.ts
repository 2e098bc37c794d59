import * as core from '@actions/core'
import { Novu } from '@novu/api'
core.info(typeof Novu)
