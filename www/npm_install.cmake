# Build-time script: `npm ci` in DIR unless node_modules already holds what
# package-lock.json says (npm keeps its own record in node_modules/.package-lock.json),
# so several build folders over one checkout do not reinstall every time.
#   cmake -DNPM=... -DDIR=... -P npm_install.cmake
set(record "${DIR}/node_modules/.package-lock.json")
if(EXISTS "${record}" AND "${record}" IS_NEWER_THAN "${DIR}/package-lock.json")
  return()
endif()
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund
                WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${DIR} (exit ${status}); is the npm registry reachable?")
endif()
