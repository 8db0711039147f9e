from posecheck.commands.cli import main

main()
